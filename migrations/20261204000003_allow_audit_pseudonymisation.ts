// The audit log stays append-only with one exception: when an account is deleted, its events are
// pseudonymised in the deleting transaction. The trigger lets an update through only inside a
// transaction that named the pseudonym (set_config('latchkey.pseudonym', <uuid>, true)) and only
// if it takes personal data away: subject and actor replaced by that pseudonym, IP and user agent
// nulled, detail keys removed; everything else (id, time, type, actor type, client, request) as it was.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function audit_events_append_only() returns trigger language plpgsql as $$
    declare
      pseudonym text := nullif(current_setting('latchkey.pseudonym', true), '');
    begin
      if pseudonym is not null
        and new.id = old.id and new.occurred_at = old.occurred_at and new.type = old.type
        and new.actor_type = old.actor_type
        and new.client_id is not distinct from old.client_id
        and new.request_id is not distinct from old.request_id
        and (new.subject_id is not distinct from old.subject_id or new.subject_id = pseudonym::uuid)
        and (new.actor_id is not distinct from old.actor_id or new.actor_id = pseudonym)
        and (new.ip is null or new.ip = old.ip)
        and (new.user_agent is null or new.user_agent = old.user_agent)
        and not exists (select 1 from jsonb_each(new.details) as kept where old.details -> kept.key is distinct from kept.value)
      then
        return new;
      end if;
      raise exception 'audit events are never changed';
    end $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit events are never changed';
    end $$`);
}
