// Signing a person out of Latchkey, whichever way it happens (one device, one application, every
// session but this one, everywhere): the sessions, grants and tokens end, and every application
// that may still think the person is signed in is owed a back-channel logout, queued in the same
// transaction (delivered by oidc/backchannel-logout.ts).
import type { Queries } from '../queries/index.ts';
import type { SignedInApplication } from '../queries/backchannel-logouts.ts';
import { tokenDigest } from './token-digest.ts';

export type SignOutScope =
  /** Every session, grant and token; `keepSession` (a stored session id) and what its grants issued stay. */
  | { everywhere: true; keepSession?: string | undefined }
  /** One session (a device) and what its grants issued. */
  | { session: string }
  /** What one application holds for the person: grants, codes, tokens. Sessions stay. */
  | { client: string };

interface SessionAuthorization {
  sid: string;
  grantId?: string;
}

/**
 * The applications a stored session signed the person in to: client id → its sid and grant.
 * Only entries with a sid count: the provider also leaves an empty entry for an application
 * that merely asked (prompt=none answered consent_required), which never saw the person.
 */
export function signedInApplicationsOf(payload: Record<string, unknown>): Array<[string, SessionAuthorization]> {
  const found = payload.authorizations;
  if (typeof found !== 'object' || found === null) return [];
  return Object.entries(found as Record<string, Partial<SessionAuthorization>>)
    .filter((entry): entry is [string, SessionAuthorization] => typeof entry[1]?.sid === 'string');
}

/**
 * Ends what `scope` names for the account and queues a logout token for each application it
 * affects (and for `alsoNotify`, applications the person used that hold nothing live now: an
 * account being deleted tells every one). Returns how many records ended and logouts were queued.
 */
export async function signOut(q: Queries, accountId: string, scope: SignOutScope = { everywhere: true }, { alsoNotify = [] }: { alsoNotify?: string[] } = {}): Promise<{ ended: number; notified: number }> {
  const [sessions, tokens] = await Promise.all([
    q.oidcPayloads.listLivePayloadsOfAccount('Session', accountId),
    q.oidcPayloads.listTokenHoldersOfAccount(accountId),
  ]);
  const signedIn: SignedInApplication[] = alsoNotify.map((clientId) => ({ clientId, sid: null }));
  let ended: number;

  if ('client' in scope) {
    for (const session of sessions) {
      for (const [clientId, { sid }] of signedInApplicationsOf(session.payload)) if (clientId === scope.client) signedIn.push({ clientId, sid });
    }
    for (const token of tokens) if (token.clientId === scope.client) signedIn.push({ clientId: token.clientId, sid: token.sid });
    ended = await q.oidcPayloads.deletePayloadsByAccountAndClient(accountId, scope.client);
  } else {
    const chosen = 'session' in scope ? scope.session : scope.keepSession;
    const chosenSession = sessions.find((session) => session.id === chosen);
    const chosenGrants = new Set(chosenSession ? signedInApplicationsOf(chosenSession.payload).map(([, { grantId }]) => grantId).filter((id): id is string => !!id) : []);
    // A Grant's own row is stored under its id's digest (it has no grant_id of its own).
    const grants = { ids: [...chosenGrants], recordIds: [...chosenGrants].map(tokenDigest) };
    const ending = 'session' in scope
      ? { sessions: chosenSession ? [chosenSession] : [], token: (grantId: string | null) => grantId !== null && chosenGrants.has(grantId) }
      : { sessions: sessions.filter((session) => session !== chosenSession), token: (grantId: string | null) => grantId === null || !chosenGrants.has(grantId) };
    for (const session of ending.sessions) {
      for (const [clientId, { sid }] of signedInApplicationsOf(session.payload)) signedIn.push({ clientId, sid });
    }
    for (const token of tokens) if (ending.token(token.grantId)) signedIn.push({ clientId: token.clientId, sid: token.sid });
    if ('session' in scope) ended = chosenSession ? await q.oidcPayloads.deleteSessionAndGrants(accountId, chosenSession.id, grants) : 0;
    else if (chosenSession) ended = await q.oidcPayloads.deletePayloadsOfAccountExcept(accountId, chosenSession.id, grants);
    else ended = await q.oidcPayloads.deletePayloadsByAccountId(accountId);
  }
  const notified = await q.backchannelLogouts.queueBackchannelLogouts(accountId, signedIn);
  return { ended, notified };
}
