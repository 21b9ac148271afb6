// Roles people hold (accounts.roles names them): each with a description and whether new
// accounts get it. "admin" is built in and cannot be deleted or renamed. A GIN index answers
// "who holds this role" at any number of accounts.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('roles', (table) => {
    table.uuid('id').primary();
    table.text('name').notNullable();
    table.text('description').notNullable().defaultTo('');
    table.boolean('is_default').notNullable().defaultTo(false);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index roles_name_unique on roles (lower(name))');
  await knex.raw(`insert into roles (id, name, description) values ('00000000-0000-4000-8000-000000000001', 'admin', 'Administers Latchkey (the admin console); MFA_REQUIRED=admins applies to it')`);
  // Roles held before roles were kept (only admin so far) exist as roles too.
  await knex.raw(`insert into roles (id, name) select gen_random_uuid(), held from (select distinct unnest(roles) as held from accounts) found
                  where lower(held) <> 'admin' on conflict do nothing`);
  await knex.raw('create index accounts_roles on accounts using gin (roles)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index accounts_roles');
  await knex.schema.dropTable('roles');
}
