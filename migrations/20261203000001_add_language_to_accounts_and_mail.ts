// The language each mail was written in, and the one each account last used on a page (for
// mails no page causes, such as an administrator's).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_outbox', (table) => {
    table.text('language').notNullable().defaultTo('en');
  });
  await knex.schema.alterTable('accounts', (table) => {
    table.text('language');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (table) => table.dropColumn('language'));
  await knex.schema.alterTable('mail_outbox', (table) => table.dropColumn('language'));
}
