// Bearer tokens for Latchkey's own APIs (admin API, SCIM), made by an admin. Only a keyed hash
// of each token is kept: the token itself is shown once, when it is made.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (table) => {
    table.uuid('id').primary();
    table.text('name').notNullable();
    table.specificType('scopes', 'text[]').notNullable();
    table.text('token_hash').notNullable().unique();
    table.text('created_by').notNullable(); // the actor that made it, as the audit log names it
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true });
    table.timestamp('last_used_at', { useTz: true });
    table.timestamp('revoked_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_tokens');
}
