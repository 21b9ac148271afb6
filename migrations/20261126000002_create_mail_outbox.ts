// Mail waiting to be sent or recently sent: written in the transaction of the change that
// causes it, delivered by a worker that leases rows. Bodies carry one-time links, so they are sealed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_outbox', (table) => {
    table.uuid('id').primary();
    table.text('to_address').notNullable();
    table.text('subject').notNullable();
    table.text('template').notNullable(); // which template made it, for operators
    table.text('body_sealed'); // text and html, sealed together; dropped once delivered over SMTP or given up
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true }); // null once sent or given up
    table.timestamp('locked_until', { useTz: true }); // a worker's lease while it sends
    table.timestamp('sent_at', { useTz: true });
    table.text('last_error');
  });
  await knex.raw('create index mail_outbox_due on mail_outbox (next_attempt_at) where sent_at is null');
  await knex.raw('create index mail_outbox_created_at on mail_outbox (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mail_outbox');
}
