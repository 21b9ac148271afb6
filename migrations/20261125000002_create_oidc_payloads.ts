// Everything oidc-provider persists (sessions, interactions, grants, codes, tokens …):
// one row per (model, id), with the columns the adapter looks up by. `id` holds a SHA-256
// digest of the token or cookie value, never the value itself.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oidc_payloads', (table) => {
    table.text('model').notNullable();
    table.text('id').notNullable();
    table.jsonb('payload').notNullable();
    table.text('grant_id');
    table.text('uid');
    table.text('user_code');
    table.text('account_id');
    table.text('client_id');
    table.timestamp('expires_at', { useTz: true });
    table.timestamp('consumed_at', { useTz: true });
    table.primary(['model', 'id']);
  });
  await knex.raw('create index oidc_payloads_grant_id on oidc_payloads (grant_id) where grant_id is not null');
  await knex.raw('create unique index oidc_payloads_uid on oidc_payloads (model, uid) where uid is not null');
  await knex.raw('create unique index oidc_payloads_user_code on oidc_payloads (model, user_code) where user_code is not null');
  await knex.raw('create index oidc_payloads_account_id on oidc_payloads (account_id) where account_id is not null');
  await knex.raw('create index oidc_payloads_client_id on oidc_payloads (client_id) where client_id is not null');
  await knex.raw('create index oidc_payloads_expires_at on oidc_payloads (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oidc_payloads');
}
