// The id a provisioning directory (Entra ID, Okta …) gives a person, which it sends back as
// SCIM externalId and filters by. Case-exact, as RFC 7643 defines it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (table) => {
    table.text('external_id');
  });
  await knex.raw('create index accounts_external_id on accounts (external_id) where external_id is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (table) => {
    table.dropColumn('external_id');
  });
}
