// Admin search and listing of accounts at scale: prefix search on the address and the name
// (text_pattern_ops, so LIKE 'prefix%' uses the index whatever the collation), and pages in
// order of creation.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index accounts_email_prefix on accounts (lower(email) text_pattern_ops)');
  await knex.raw('create index accounts_name_prefix on accounts (lower(name) text_pattern_ops) where name is not null');
  await knex.raw('create index accounts_created on accounts (created_at desc, id desc)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index accounts_email_prefix');
  await knex.raw('drop index accounts_name_prefix');
  await knex.raw('drop index accounts_created');
}
