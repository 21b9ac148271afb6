// Who is acting and from where, for the audit events a request or command records. The door
// (a page, the admin API, the CLI) says once who acts; libraries record events without passing
// it along. Outside any door (timers, housekeeping) the system acts.
import { AsyncLocalStorage } from 'node:async_hooks';

export type AuditActor =
  | { type: 'account'; id: string }
  | { type: 'client'; id: string }
  | { type: 'api_token'; id: string }
  | { type: 'cli'; id?: string }
  | { type: 'anonymous' } // whoever sent a request that proved nobody (a failed sign-in)
  | { type: 'system' };

export interface RequestFacts {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

interface AuditContext {
  facts: () => RequestFacts;
  actor?: AuditActor;
}

const contexts = new AsyncLocalStorage<AuditContext>();

/** Runs a request with its facts (read only if an event is recorded). */
export const withRequestFacts = <T>(facts: () => RequestFacts, work: () => T): T => contexts.run({ facts }, work);

/** From here on in this request or command, `actor` acts (an authenticated API token, the CLI). */
export function actAs(actor: AuditActor): void {
  const context = contexts.getStore();
  if (!context) throw new Error('actAs outside a request: wrap the request in withRequestFacts');
  context.actor = actor;
}

/** Runs `work` as `actor` (a CLI command). */
export const runAs = <T>(actor: AuditActor, work: () => T): T => contexts.run({ facts: () => ({}), actor }, work);

export function currentAuditContext(): { actor: AuditActor | undefined; facts: RequestFacts } {
  const context = contexts.getStore();
  return { actor: context?.actor, facts: context?.facts() ?? {} };
}
