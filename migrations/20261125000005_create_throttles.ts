// Failure counters for throttled attempts (sign-in …), shared by every process.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('throttles', (table) => {
    table.text('key').primary();
    table.integer('failures').notNullable();
    table.timestamp('blocked_until', { useTz: true });
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index throttles_updated_at on throttles (updated_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('throttles');
}
