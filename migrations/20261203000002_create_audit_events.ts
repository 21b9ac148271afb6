// The audit log: who did what, to whom, from where. Rows are written in the transaction of the
// change they record and are never updated (a trigger refuses); the retention sweep deletes the
// oldest. Subjects and clients are plain values, not foreign keys: an event outlives what it is about.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (table) => {
    table.bigIncrements('id').primary(); // also the order of events and the cursor of a listing
    table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.text('type').notNullable();
    table.text('actor_type').notNullable(); // account, client, api_token, cli, system
    table.text('actor_id');
    table.uuid('subject_id'); // the account the event is about
    table.text('client_id'); // the application involved
    table.text('ip');
    table.text('user_agent');
    table.text('request_id');
    table.jsonb('details').notNullable().defaultTo('{}');
  });
  await knex.raw('create index audit_events_occurred_at on audit_events (occurred_at)');
  await knex.raw('create index audit_events_subject on audit_events (subject_id, id) where subject_id is not null');
  await knex.raw('create index audit_events_type on audit_events (type, id)');
  await knex.raw('create index audit_events_client on audit_events (client_id, id) where client_id is not null');
  await knex.raw('create index audit_events_actor on audit_events (actor_id, id) where actor_id is not null');
  await knex.raw(`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit events are never changed';
    end $$`);
  await knex.raw('create trigger audit_events_append_only before update on audit_events for each row execute function audit_events_append_only()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
  await knex.raw('drop function audit_events_append_only()');
}
