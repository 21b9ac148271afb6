// OAuth clients (relying parties). The secret is sealed with LATCHKEY_SECRET;
// metadata holds the oidc-provider client metadata (redirect URIs, grant types …).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clients', (table) => {
    table.text('client_id').primary();
    table.text('client_secret_sealed');
    table.text('name').notNullable();
    table.jsonb('metadata').notNullable();
    table.boolean('skip_consent').notNullable().defaultTo(false);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('clients');
}
