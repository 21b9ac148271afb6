// One-time secrets sent by mail (verification links and codes, reset links, sign-in codes),
// stored only as keyed hashes; each is single-use, expires, and a code counts its attempts.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('one_time_secrets', (table) => {
    table.uuid('id').primary();
    table.text('purpose').notNullable(); // verify_email | reset_password | sign_in
    table.text('kind').notNullable(); // link | code
    table.uuid('account_id').references('accounts.id').onDelete('CASCADE');
    table.text('email').notNullable(); // lower case; a sign-in code may be for an address with no account yet
    table.text('secret_hash').notNullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('consumed_at', { useTz: true });
    table.unique(['secret_hash']);
    table.index(['purpose', 'email']);
    table.index(['account_id']);
    table.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('one_time_secrets');
}
