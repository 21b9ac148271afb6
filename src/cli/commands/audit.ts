// latchkey audit: the audit log, newest first, as a table or JSON lines.
import { AUDIT_EVENT_TYPES, isAuditEventType } from '../../libraries/audit/events.ts';
import { table, UsageError, type Execute } from '../io.ts';
import { count, parse, periodSeconds } from '../parse.ts';
import { UUID } from '../../libraries/uuid.ts';

export const auditHelp = `latchkey audit [--since PERIOD|TIME] [--type TYPE[,TYPE…]] [--user EMAIL|ID] [--client CLIENT_ID]
              [--limit N] [--json]
    Audit events, newest first (default: the last 100). --since takes 12h, 30d, 8w … or an ISO 8601
    time; --type takes event types or their first part (sign_in = sign_in.succeeded and sign_in.failed);
    --json prints one JSON object per line (README lists the types).`;


/** Event types named exactly, or by their first part. */
export function auditTypes(value: string, flag: string): string[] {
  const types = new Set<string>();
  for (const name of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const matching = isAuditEventType(name) ? [name] : Object.keys(AUDIT_EVENT_TYPES).filter((type) => type.startsWith(`${name}.`));
    if (!matching.length) throw new UsageError(`${flag}: no event type ${name} (see latchkey audit --help)`);
    matching.forEach((type) => types.add(type));
  }
  return [...types];
}

function since(value: string): Date {
  if (/^\d+[hdw]$/.test(value.trim())) return new Date(Date.now() - periodSeconds(value, '--since') * 1000);
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) throw new UsageError('audit --since takes a period such as 12h, 30d or 8w, or an ISO 8601 time');
  return time;
}

export function parseAuditCommand(args: string[]): Execute {
  const { values, positionals } = parse('audit', args, {
    since: { type: 'string' }, type: { type: 'string' }, user: { type: 'string' }, client: { type: 'string' }, limit: { type: 'string' },
  });
  if (positionals.length) throw new UsageError('audit takes no positional arguments (see latchkey audit --help)');
  const filter = {
    since: values.since === undefined ? undefined : since(values.since),
    types: values.type === undefined ? undefined : auditTypes(values.type, '--type'),
    clientId: values.client,
    limit: Math.min(count(values.limit, '--limit', 'audit', 100), 10_000),
  };
  return async ({ accounts, audit }, io) => {
    // An id is taken as it is (the account may be gone); an address must still have its account.
    const subjectId = values.user === undefined ? undefined : UUID.test(values.user) ? values.user : (await accounts.findByIdOrEmail(values.user)).id;
    const { events } = await audit.list({ ...filter, subjectId });
    if (values.json) return events.forEach((event) => io.out(JSON.stringify(event)));
    if (!events.length) return io.out('No audit events match.');
    table([['TIME', 'TYPE', 'ACTOR', 'SUBJECT', 'CLIENT', 'IP', 'DETAILS'], ...events.map((event) => [
      event.occurred_at, event.type, event.actor.id ? `${event.actor.type}:${event.actor.id}` : event.actor.type,
      event.subject_id ?? '-', event.client_id ?? '-', event.ip ?? '-', JSON.stringify(event.details),
    ])]).forEach(io.out);
  };
}
