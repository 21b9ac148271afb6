// Signing a person out of Latchkey, whichever way it happens (one device, one application, every
// session but this one, everywhere): the sessions, grants and tokens end, and every application
// that may still think the person is signed in is owed a back-channel logout, queued in the same
// transaction (delivered by oidc/backchannel-logout.ts).
import type { Queries } from '../queries/index.ts';
import type { SignedInApplication } from '../queries/backchannel-logouts.ts';

export type SignOutScope =
  /** Every session, grant and token; `keepSession` (a stored session id) and what its grants issued stay. */
  | { everywhere: true; keepSession?: string | undefined }
  /** One session (a device) and what its grants issued. */
  | { session: string }
  /** What one application holds for the person: grants, codes, tokens. Sessions stay. */
  | { client: string };

interface SessionAuthorization {
  sid?: string;
  grantId?: string;
}

/** The applications a stored session signed in to: client id → its sid and grant. */
function authorizationsOf(payload: Record<string, unknown>): Array<[string, SessionAuthorization]> {
  const found = payload.authorizations;
  return typeof found === 'object' && found !== null ? Object.entries(found as Record<string, SessionAuthorization>) : [];
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
      for (const [clientId, { sid }] of authorizationsOf(session.payload)) if (clientId === scope.client) signedIn.push({ clientId, sid: sid ?? null });
    }
    for (const token of tokens) if (token.clientId === scope.client) signedIn.push({ clientId: token.clientId, sid: token.sid });
    ended = await q.oidcPayloads.deletePayloadsByAccountAndClient(accountId, scope.client);
  } else {
    const chosen = 'session' in scope ? scope.session : scope.keepSession;
    const chosenSession = sessions.find((session) => session.id === chosen);
    const chosenGrants = new Set(chosenSession ? authorizationsOf(chosenSession.payload).map(([, { grantId }]) => grantId).filter((id): id is string => !!id) : []);
    const ending = 'session' in scope
      ? { sessions: chosenSession ? [chosenSession] : [], token: (grantId: string | null) => grantId !== null && chosenGrants.has(grantId) }
      : { sessions: sessions.filter((session) => session !== chosenSession), token: (grantId: string | null) => grantId === null || !chosenGrants.has(grantId) };
    for (const session of ending.sessions) {
      for (const [clientId, { sid }] of authorizationsOf(session.payload)) signedIn.push({ clientId, sid: sid ?? null });
    }
    for (const token of tokens) if (ending.token(token.grantId)) signedIn.push({ clientId: token.clientId, sid: token.sid });
    if ('session' in scope) ended = chosenSession ? await q.oidcPayloads.deleteSessionAndGrants(accountId, chosenSession.id, [...chosenGrants]) : 0;
    else if (chosenSession) ended = await q.oidcPayloads.deletePayloadsOfAccountExcept(accountId, chosenSession.id, [...chosenGrants]);
    else ended = await q.oidcPayloads.deletePayloadsByAccountId(accountId);
  }
  const notified = await q.backchannelLogouts.queueBackchannelLogouts(accountId, signedIn);
  return { ended, notified };
}
