// What a one-time link is about, when more than its account and address: the "this wasn't
// me" link of a security notice names the change it undoes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('one_time_secrets', (table) => {
    table.jsonb('details');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('one_time_secrets', (table) => {
    table.dropColumn('details');
  });
}
