// APIs that accept Latchkey's access tokens (RFC 8707 resource indicators), the permissions each
// defines, which roles hold which permissions, and the roles machine clients hold (people's
// roles are on accounts). A role, resource or permission that goes takes its grants with it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_resources', (table) => {
    table.uuid('id').primary();
    table.text('identifier').notNullable().unique(); // the resource indicator, an absolute URI
    table.text('name').notNullable();
    table.integer('access_token_ttl').notNullable().defaultTo(3600);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('resource_permissions', (table) => {
    table.uuid('resource_id').notNullable().references('api_resources.id').onDelete('CASCADE');
    table.text('name').notNullable();
    table.text('description').notNullable().defaultTo('');
    table.primary(['resource_id', 'name']);
  });
  await knex.schema.createTable('role_permissions', (table) => {
    table.uuid('role_id').notNullable().references('roles.id').onDelete('CASCADE');
    table.uuid('resource_id').notNullable();
    table.text('permission').notNullable();
    table.primary(['role_id', 'resource_id', 'permission']);
    table.foreign(['resource_id', 'permission']).references(['resource_id', 'name']).inTable('resource_permissions').onDelete('CASCADE').onUpdate('CASCADE');
  });
  await knex.schema.createTable('client_roles', (table) => {
    table.text('client_id').notNullable().references('clients.client_id').onDelete('CASCADE');
    table.uuid('role_id').notNullable().references('roles.id').onDelete('CASCADE');
    table.primary(['client_id', 'role_id']);
  });
  await knex.raw('create index client_roles_role on client_roles (role_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('client_roles');
  await knex.schema.dropTable('role_permissions');
  await knex.schema.dropTable('resource_permissions');
  await knex.schema.dropTable('api_resources');
}
