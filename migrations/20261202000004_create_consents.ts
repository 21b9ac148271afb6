// What a person allowed each application, remembered beyond the sign-in session (which ends,
// with the provider's grant, at sign-out) until the person or an administrator revokes it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('consents', (table) => {
    table.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    table.text('client_id').notNullable().references('clients.client_id').onDelete('CASCADE');
    table.specificType('scopes', 'text[]').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['account_id', 'client_id']);
  });
  await knex.raw('create index consents_client_id on consents (client_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('consents');
}
