// SQL for the audit log: append, list newest first with filters and a cursor, name the accounts
// listed, take a deleted account out of its events, sweep the oldest.
import type { Knex } from 'knex';

export interface AuditEventRow {
  id: string; // bigint: a string, so that no precision is lost
  occurred_at: Date;
  type: string;
  actor_type: string;
  actor_id: string | null;
  subject_id: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEventRow, 'id' | 'occurred_at'>;

export interface AuditEventFilter {
  types?: string[];
  actorId?: string;
  subjectId?: string;
  clientId?: string;
  since?: Date;
  until?: Date;
  /** Only events older than this id (the cursor of the previous page). */
  beforeId?: string;
  limit: number;
}

export function createAuditEventQueries(db: Knex) {
  return {
    async insertAuditEvent(event: NewAuditEvent): Promise<void> {
      await db('audit_events').insert({ ...event, details: JSON.stringify(event.details) });
    },

    async insertAuditEvents(events: NewAuditEvent[]): Promise<void> {
      if (events.length) await db('audit_events').insert(events.map((event) => ({ ...event, details: JSON.stringify(event.details) })));
    },

    async listAuditEvents(filter: AuditEventFilter): Promise<AuditEventRow[]> {
      const query = db<AuditEventRow>('audit_events').orderBy('id', 'desc').limit(filter.limit);
      if (filter.types?.length) query.whereIn('type', filter.types);
      if (filter.actorId) query.where('actor_id', filter.actorId);
      if (filter.subjectId) query.where('subject_id', filter.subjectId);
      if (filter.clientId) query.where('client_id', filter.clientId);
      if (filter.since) query.where('occurred_at', '>=', filter.since);
      if (filter.until) query.where('occurred_at', '<', filter.until);
      if (filter.beforeId) query.where('id', '<', filter.beforeId);
      const rows = await query;
      return rows.map((row) => ({ ...row, id: String(row.id) }));
    },

    /** The addresses of those of these accounts that still exist, by id (for naming the people a page of events is about). */
    async findAccountEmails(ids: string[]): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const result = await db.raw<{ rows: Array<{ id: string; email: string }> }>('select id, email from accounts where id = any(?::uuid[])', [ids]);
      return new Map(result.rows.map((row) => [row.id, row.email]));
    },

    /** Every application the account finished a sign-in to, as far back as the log goes. */
    async listClientsSignedInto(accountId: string): Promise<string[]> {
      const result = await db.raw<{ rows: Array<{ client_id: string }> }>(
        `select distinct client_id from audit_events where subject_id = ?::uuid and type = 'sign_in.succeeded' and client_id is not null`,
        [accountId],
      );
      return result.rows.map((row) => row.client_id);
    },

    /**
     * Takes a deleted account out of its events (the migration allowing it says how little may
     * change): where it is the subject or acted, it becomes `pseudonym` and the `personalKeys` of
     * the details go; the IP and user agent go too unless someone else acted (an administrator's
     * own, kept to hold them accountable). Failed sign-ins that named its address without
     * finding an account lose the address. Must run in a transaction (the pseudonym is set for
     * it alone). Returns how many events changed.
     */
    async pseudonymiseAccountEvents({ accountId, email, pseudonym, personalKeys }: { accountId: string; email: string; pseudonym: string; personalKeys: string[] }): Promise<number> {
      await db.raw(`select set_config('latchkey.pseudonym', ?, true)`, [pseudonym]);
      const own = await db.raw<{ rowCount: number }>(
        `update audit_events set
           subject_id = case when subject_id = :account::uuid then :pseudonym::uuid else subject_id end,
           actor_id = case when actor_type = 'account' and actor_id = :account then :pseudonym else actor_id end,
           ip = case when someone_else then ip end,
           user_agent = case when someone_else then user_agent end,
           details = case when subject_id = :account::uuid then details - :keys::text[] else details end
         from (select id as event_id,
                 actor_type in ('api_token', 'cli', 'client') or (actor_type = 'account' and actor_id is distinct from :account) as someone_else
               from audit_events
               where subject_id = :account::uuid or (actor_type = 'account' and actor_id = :account)) as chosen
         where audit_events.id = chosen.event_id`,
        { account: accountId, pseudonym, keys: personalKeys },
      );
      const named = await db.raw<{ rowCount: number }>(
        `update audit_events set details = details - 'email'
         where type = 'sign_in.failed' and subject_id is null and lower(details ->> 'email') = lower(:email)`,
        { email },
      );
      await db.raw(`select set_config('latchkey.pseudonym', '', true)`);
      return (own.rowCount ?? 0) + (named.rowCount ?? 0);
    },

    /** Deletes up to `batch` events older than the cutoff; how many went. */
    async deleteAuditEventsBefore(cutoff: Date, batch: number): Promise<number> {
      const result = await db.raw<{ rowCount: number }>(
        'delete from audit_events where id in (select id from audit_events where occurred_at < ? order by id limit ?)',
        [cutoff, batch],
      );
      return result.rowCount ?? 0;
    },
  };
}
