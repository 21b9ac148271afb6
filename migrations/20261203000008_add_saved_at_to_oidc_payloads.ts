// When each provider record was last saved: for a session, the last time it was used to sign in
// to an application (what the admin API shows as its last activity). Nullable without a
// default, so adding it rewrites nothing; rows get it at their next save.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_payloads', (table) => {
    table.timestamp('saved_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_payloads', (table) => {
    table.dropColumn('saved_at');
  });
}
