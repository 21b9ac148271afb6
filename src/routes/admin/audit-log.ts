// The audit log at /admin/audit: events newest first, a page at a time, filtered by type, the
// person they are about or who did them, the application and a period (UTC); each event's
// details on demand; and /admin/audit/export, the same filter's events as JSON lines (what
// `latchkey audit --json` prints), streamed page by page. A filter that cannot be read is said
// so on the page (400), under its field, and nothing is listed.
import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { AUDIT_EVENT_TYPES, isAuditEventType } from '../../libraries/audit/events.ts';
import { RequestError } from '../../libraries/errors.ts';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';
import type { PresentedAuditEvent } from '../../libraries/audit/audit-log.ts';
import type { AuditEventFilter } from '../../queries/audit-events.ts';
import type { Services } from '../../services.ts';
import { renderConsolePage } from './console-page.ts';
import { UUID } from '../../libraries/uuid.ts';

const PAGE_SIZE = 50;
/** The most events one export holds (newest first); the page says so next to its link. */
const EXPORT_MAX = 100_000;

/** A day, or a day and time to the minute or second, as a date-time input sends it; read as UTC. */
const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const FIELDS = ['type', 'subject', 'actor', 'client', 'from', 'to'] as const;
const FIELD_OF: Record<string, string> = {
  audit_type_unknown: 'type', audit_subject_unknown: 'subject', audit_actor_unknown: 'actor',
  audit_from_invalid: 'from', audit_to_invalid: 'to', audit_period_backwards: 'to',
};

/** Who can have acted, in words (AuditActor's types); the person page uses them too. */
export const ACTOR_WORDS: Record<string, string> = {
  account: 'console.audit.actors.account',
  client: 'console.audit.actors.client',
  api_token: 'console.audit.actors.apiToken',
  cli: 'console.audit.actors.cli',
  system: 'console.audit.actors.system',
  anonymous: 'console.audit.actors.anonymous',
};

/** The filter as the query string gives it, as text, to show in the form again. */
function filterText(ctx: Context) {
  const text = (name: string, max = 320) => (typeof ctx.query[name] === 'string' ? (ctx.query[name] as string).trim().slice(0, max) : '');
  const types = ([] as unknown[]).concat(ctx.query.type ?? []).filter((value): value is string => typeof value === 'string' && value !== '')
    .slice(0, 50).map((type) => type.slice(0, 100));
  return { types, subject: text('subject'), actor: text('actor'), client: text('client', 200), from: text('from', 40), to: text('to', 40), before: text('before', 40) };
}

type FilterText = ReturnType<typeof filterText>;

/**
 * A moment of the period: `from` is where it starts; `to` names the last day, minute or second
 * it includes, so the period ends where that one ends. Undefined when not given.
 */
function readTime(value: string, end: boolean, code: string): Date | undefined {
  if (!value) return undefined;
  const parts = TIME.exec(value)?.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const [year, month, day, hour, minute, second] = parts ?? [];
  const time = parts ? new Date(Date.UTC(year!, month! - 1, day!, hour ?? 0, minute ?? 0, second ?? 0)) : new Date(NaN);
  const real = parts && time.getUTCFullYear() === year && time.getUTCMonth() === month! - 1 && time.getUTCDate() === day
    && (hour ?? 0) < 24 && (minute ?? 0) < 60 && (second ?? 0) < 60;
  if (!real || year! < 1970 || year! > 9000) throw new RequestError(code, 400, `${value} is not a date (YYYY-MM-DD), or a date and a time (UTC).`, { value });
  if (!end) return time;
  return new Date(time.getTime() + (hour === undefined ? 86_400_000 : second === undefined ? 60_000 : 1000));
}

/** The library's filter for what the form says; a RequestError naming the field it cannot read. */
async function readFilter(services: Services, text: FilterText): Promise<Omit<AuditEventFilter, 'limit' | 'beforeId'>> {
  const unknown = text.types.find((type) => !isAuditEventType(type));
  if (unknown !== undefined) throw new RequestError('audit_type_unknown', 400, `There is no event type ${unknown}.`, { value: unknown });
  // An id is taken as it is (the account may be gone); an address must still have its account.
  const accountId = async (value: string, code: string) => {
    if (!value) return undefined;
    if (UUID.test(value)) return value;
    const account = value.includes('@') ? await services.accounts.findByIdOrEmail(value).catch((error: unknown) => {
      if (error instanceof RequestError) return undefined;
      throw error;
    }) : undefined;
    if (!account) throw new RequestError(code, 400, 'No account has this address or id.');
    return account.id;
  };
  const subjectId = await accountId(text.subject, 'audit_subject_unknown');
  // Who acted may be an account (by address or id), or an application or API token (by its id).
  const actorId = text.actor.includes('@') ? await accountId(text.actor, 'audit_actor_unknown') : text.actor || undefined;
  const since = readTime(text.from, false, 'audit_from_invalid');
  const until = readTime(text.to, true, 'audit_to_invalid');
  if (since && until && until <= since) throw new RequestError('audit_period_backwards', 400, 'The period ends before it starts.');
  return { types: text.types.length ? text.types : undefined, subjectId, actorId, clientId: text.client || undefined, since, until };
}

/** The query string of a filter (without the page's cursor), for the pager and the export. */
function filterQuery(text: FilterText) {
  const query = new URLSearchParams();
  for (const type of text.types) query.append('type', type);
  for (const name of ['subject', 'actor', 'client', 'from', 'to'] as const) if (text[name]) query.set(name, text[name]);
  return query;
}

export default function auditRoutes(router: Router, services: Services) {
  const types = Object.keys(AUDIT_EVENT_TYPES);

  async function renderAudit(ctx: Context, text: FilterText, page: { events: unknown[]; next?: string; emails: Map<string, string> }, error: FormProblem | '' = '', status = 200) {
    const clients = await services.clients.listClients();
    const query = filterQuery(text).toString();
    await renderConsolePage(ctx, services, 'admin/audit', {
      title: 'console.audit.title', section: 'audit', error, filter: text, types, actorWords: ACTOR_WORDS, exportMax: EXPORT_MAX,
      events: page.events, emails: page.emails, clientNames: new Map(clients.map((client) => [client.client_id, client.client_name])),
      nextUrl: page.next ? `/admin/audit?${query ? `${query}&` : ''}before=${page.next}` : '',
      firstUrl: text.before ? `/admin/audit${query ? `?${query}` : ''}` : '',
      exportUrl: error ? '' : `/admin/audit/export${query ? `?${query}` : ''}`,
      prettyJson: (value: unknown) => JSON.stringify(value, null, 2),
    }, status);
  }

  /** The filter, or undefined after showing the page with what is wrong with it. */
  async function filterOrProblem(ctx: Context, text: FilterText) {
    try {
      return await readFilter(services, text);
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderAudit(ctx, text, { events: [], emails: new Map() }, formProblem(error, FIELDS, FIELD_OF), error.status);
      return undefined;
    }
  }

  router.get('/audit', async (ctx) => {
    const text = filterText(ctx);
    const filter = await filterOrProblem(ctx, text);
    if (!filter) return;
    // A day alone (typed into the address) shown as the date-time inputs can hold it, with the same meaning.
    if (DAY.test(text.from)) text.from = `${text.from}T00:00`;
    if (DAY.test(text.to)) text.to = `${text.to}T23:59`;
    // A cursor nobody made is the first page.
    const beforeId = /^\d{1,18}$/.test(text.before) ? text.before : undefined;
    await renderAudit(ctx, text, await services.audit.listNamingPeople({ ...filter, beforeId, limit: PAGE_SIZE }));
  });

  router.get('/audit/export', async (ctx) => {
    const text = filterText(ctx);
    const filter = await filterOrProblem(ctx, text);
    if (!filter) return;
    const pages = services.audit.eachPage(filter, { max: EXPORT_MAX });
    const first = await pages.next(); // before the answer starts: a failure is still an error page, not a cut-off file
    await services.audit.recordExport(filter);
    ctx.attachment(`audit-events-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}Z.jsonl`);
    ctx.type = 'application/x-ndjson';
    const lines = (events: PresentedAuditEvent[]) => events.map((event) => `${JSON.stringify(event)}\n`).join('');
    ctx.body = Readable.from((async function* all() {
      if (!first.done) yield lines(first.value);
      for await (const events of pages) yield lines(events);
    })());
  });
}
