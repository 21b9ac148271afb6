// Second factors: TOTP authenticators (secret sealed), WebAuthn credentials (security keys and
// passkeys), their single-use challenges, and recovery codes (stored only as keyed hashes).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('totp_factors', (table) => {
    table.uuid('id').primary();
    table.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    table.text('secret_sealed').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('confirmed_at', { useTz: true }); // null while enrolment waits for a first code
    table.bigInteger('last_used_step'); // the newest time step accepted: no code is accepted twice
    table.timestamp('last_used_at', { useTz: true });
    table.index(['account_id']);
  });
  await knex.schema.createTable('webauthn_credentials', (table) => {
    table.uuid('id').primary();
    table.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    table.text('credential_id').notNullable().unique(); // base64url
    table.text('public_key').notNullable(); // base64url COSE key
    table.bigInteger('sign_count').notNullable().defaultTo(0);
    table.jsonb('transports');
    table.boolean('backed_up').notNullable().defaultTo(false); // a synced passkey rather than a device-bound key
    table.text('name').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('last_used_at', { useTz: true });
    table.index(['account_id']);
  });
  await knex.schema.createTable('webauthn_challenges', (table) => {
    table.uuid('id').primary();
    table.text('challenge').notNullable();
    table.text('purpose').notNullable(); // register | authenticate
    table.uuid('account_id').references('accounts.id').onDelete('CASCADE'); // null for a passkey sign-in
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.index(['expires_at']);
  });
  await knex.schema.createTable('recovery_codes', (table) => {
    table.uuid('id').primary();
    table.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    table.text('code_hash').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('used_at', { useTz: true });
    table.unique(['account_id', 'code_hash']);
  });
  await knex.schema.alterTable('accounts', (table) => {
    table.specificType('roles', 'text[]').notNullable().defaultTo('{}'); // "admin" is the one role Latchkey knows so far
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (table) => table.dropColumn('roles'));
  for (const name of ['recovery_codes', 'webauthn_challenges', 'webauthn_credentials', 'totp_factors']) await knex.schema.dropTable(name);
}
