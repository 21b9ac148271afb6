// SQL for the audit log: append, list newest first with filters and a cursor, name the accounts
// listed, sweep the oldest.
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
