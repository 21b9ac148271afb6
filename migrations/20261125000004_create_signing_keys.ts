// Token signing keys. A key is published from creation until expires_at, and signs
// from activates_at until a newer key of its algorithm activates.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signing_keys', (table) => {
    table.text('kid').primary();
    table.text('alg').notNullable();
    table.text('private_jwk_sealed').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('activates_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true });
  });
  await knex.raw('create index signing_keys_alg_activates_at on signing_keys (alg, activates_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('signing_keys');
}
