// Which roles a provisioning directory made (SCIM POST /Groups): a directory renames, deletes
// and changes the members of those only; the others are the organisation's own.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('roles', (table) => {
    table.text('source'); // 'scim', or null: made by an administrator
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('roles', (table) => {
    table.dropColumn('source');
  });
}
