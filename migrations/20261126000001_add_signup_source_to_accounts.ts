// Where each account came from: how it was made, and for self-service sign-ups the
// application, referrer and utm_* parameters of the authorization request that led there.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (table) => {
    table.text('signup_method'); // registration | email_code | cli; null for accounts made before this column
    table.text('signup_client_id');
    table.text('signup_referrer');
    table.jsonb('signup_utm');
    table.timestamp('password_changed_at', { useTz: true });
  });
  await knex.raw('create index accounts_created_at on accounts (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index accounts_created_at');
  await knex.schema.alterTable('accounts', (table) => {
    table.dropColumns('signup_method', 'signup_client_id', 'signup_referrer', 'signup_utm', 'password_changed_at');
  });
}
