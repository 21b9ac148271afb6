// Recording and reading audit events. A change records its event with the queries of its own
// transaction, so the event exists exactly when the change does; who acted and from where come
// from the door the request or command came through (context.ts).
import type { AuditEventFilter, AuditEventRow, NewAuditEvent } from '../../queries/audit-events.ts';
import type { Queries } from '../../queries/index.ts';
import { currentAuditContext, type AuditActor } from './context.ts';
import type { AuditEventType } from './events.ts';

export interface AuditEventInput {
  type: AuditEventType;
  /** The account the event is about. */
  subjectId?: string | null;
  clientId?: string | null;
  details?: Record<string, unknown>;
  /** Who acted, when the door does not say (a person signing in acts as themself). */
  actor?: AuditActor;
}

const USER_AGENT_MAX = 512;
// A detail never carries a credential; a key like these is a mistake caught before it is stored.
const SECRET_KEY = /password|secret|token$|^code$|otp/i;

/** Records an event with `queries`: pass the transaction's queries to keep it with its change. */
export const recordAudit = (queries: Pick<Queries, 'auditEvents'>, event: AuditEventInput): Promise<void> =>
  queries.auditEvents.insertAuditEvent(auditRow(event));

/** The row of an event, for a statement that writes it together with its change. */
export function auditRow(event: AuditEventInput): NewAuditEvent {
  const { actor: doorActor, facts } = currentAuditContext();
  const details = event.details ?? {};
  for (const key of Object.keys(details)) {
    if (SECRET_KEY.test(key)) throw new Error(`audit detail "${key}" looks like a secret`);
  }
  // A failed proof proves nobody: it is not the subject acting, whoever it was (the IP tells more).
  const actor: AuditActor = event.actor ?? doorActor
    ?? (event.type.endsWith('.failed') ? { type: 'anonymous' } : event.subjectId ? { type: 'account', id: event.subjectId } : { type: 'system' });
  return {
    type: event.type,
    actor_type: actor.type,
    actor_id: 'id' in actor ? actor.id ?? null : null,
    subject_id: event.subjectId ?? null,
    client_id: event.clientId ?? null,
    ip: facts.ip ?? null,
    user_agent: facts.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
    request_id: facts.requestId ?? null,
    details,
  };
}

/** An event as the admin API and `latchkey audit` show it. */
export function presentAuditEvent(row: AuditEventRow) {
  return {
    id: row.id,
    occurred_at: row.occurred_at.toISOString(),
    type: row.type,
    actor: { type: row.actor_type, id: row.actor_id },
    subject_id: row.subject_id,
    client_id: row.client_id,
    ip: row.ip,
    user_agent: row.user_agent,
    request_id: row.request_id,
    details: row.details,
  };
}

export type PresentedAuditEvent = ReturnType<typeof presentAuditEvent>;

const SWEEP_BATCH = 1000;
const EXPORT_PAGE = 1000;
const ACCOUNT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAuditLog({ queries, retentionDays }: { queries: Queries; retentionDays: number }) {
  /** Newest first; `next` is the cursor of the following page, if there is one. */
  async function list(filter: AuditEventFilter): Promise<{ events: PresentedAuditEvent[]; next: string | undefined }> {
    const rows = await queries.auditEvents.listAuditEvents({ ...filter, limit: filter.limit + 1 });
    const page = rows.slice(0, filter.limit);
    return { events: page.map(presentAuditEvent), next: rows.length > filter.limit ? page.at(-1)!.id : undefined };
  }

  return {
    record: (event: AuditEventInput) => recordAudit(queries, event),

    list,

    /**
     * A page as `list` gives it, with the addresses of the accounts its events name as actor or
     * subject, by id (an account since deleted has none: its id is all that is left).
     */
    async listNamingPeople(filter: AuditEventFilter) {
      const page = await list(filter);
      const ids = new Set(page.events.flatMap((event) => [event.subject_id, event.actor.type === 'account' ? event.actor.id : null]));
      const emails = await queries.auditEvents.findAccountEmails([...ids].filter((id): id is string => id !== null && ACCOUNT_ID.test(id)));
      return { ...page, emails };
    },

    /**
     * Every event the filter matches, newest first, a page at a time (so any number can be
     * streamed without holding them), stopping after `max`.
     */
    /** Records that the events `filter` picks were exported (an export is personal data leaving). */
    recordExport: (filter: Omit<AuditEventFilter, 'limit' | 'beforeId'>) => recordAudit(queries, { type: 'audit_log.exported', details: { filter } }),

    async *eachPage(filter: Omit<AuditEventFilter, 'limit' | 'beforeId'>, { max, pageSize = EXPORT_PAGE }: { max: number; pageSize?: number }): AsyncGenerator<PresentedAuditEvent[]> {
      let beforeId: string | undefined;
      for (let left = max; left > 0;) {
        const { events, next } = await list({ ...filter, beforeId, limit: Math.min(pageSize, left) });
        if (events.length) yield events;
        left -= events.length;
        if (!next) return;
        beforeId = next;
      }
    },

    /** Deletes events older than the retention period; how many went. */
    async sweep(): Promise<number> {
      const cutoff = new Date(Date.now() - retentionDays * 24 * 60 * 60 * 1000);
      let swept = 0;
      for (let deleted = SWEEP_BATCH; deleted === SWEEP_BATCH;) {
        deleted = await queries.auditEvents.deleteAuditEventsBefore(cutoff, SWEEP_BATCH);
        swept += deleted;
      }
      return swept;
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
