// People who can sign in. Email is unique regardless of letter case.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (table) => {
    table.uuid('id').primary();
    table.text('email').notNullable();
    table.boolean('email_verified').notNullable().defaultTo(false);
    table.text('password_hash');
    table.text('name');
    table.text('given_name');
    table.text('family_name');
    table.boolean('disabled').notNullable().defaultTo(false);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('last_login_at', { useTz: true });
  });
  await knex.raw('create unique index accounts_email_unique on accounts (lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('accounts');
}
