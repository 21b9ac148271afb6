// Back-channel logouts waiting to be delivered (OpenID Connect Back-Channel Logout 1.0): written
// in the transaction that ends the sessions, delivered by a worker that leases rows, retried with
// backoff like mail. The logout token is signed at each attempt (it lives two minutes), so a row
// holds only who is signed out of which application.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('backchannel_logouts', (table) => {
    table.uuid('id').primary();
    table.text('client_id').notNullable();
    table.text('account_id').notNullable(); // the token's sub; the account may be gone by now
    table.text('sid'); // the session at the application, when the application asked for one
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true }); // null once delivered or given up
    table.timestamp('locked_until', { useTz: true });
    table.timestamp('delivered_at', { useTz: true });
    table.text('last_error');
  });
  await knex.raw('create index backchannel_logouts_due on backchannel_logouts (next_attempt_at) where delivered_at is null');
  await knex.raw('create index backchannel_logouts_created_at on backchannel_logouts (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('backchannel_logouts');
}
