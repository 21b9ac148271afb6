// Request counters per fixed window (per IP for the endpoints strangers can call without
// credentials), shared by every process.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_windows', (table) => {
    table.text('key').primary();
    table.integer('count').notNullable();
    table.timestamp('window_ends_at', { useTz: true }).notNullable();
  });
  await knex.raw('create index rate_windows_window_ends_at on rate_windows (window_ends_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_windows');
}
