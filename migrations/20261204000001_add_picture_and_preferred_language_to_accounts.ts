// What a person sets on their profile page: a picture (a URL, the `picture` claim) and the
// language they prefer for pages and mails, which a sign-in in another language no longer changes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (table) => {
    table.text('picture');
    table.text('preferred_language');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (table) => {
    table.dropColumn('picture');
    table.dropColumn('preferred_language');
  });
}
