// Who is signed in to one of Latchkey's own areas (the account area, the admin console): read
// from oidc-provider's own session (the sign-in the hosted pages made), with sign-in and
// re-authentication going through /auth as the area's built-in client. One implementation for
// every area, each described by a FirstPartyArea.
import crypto from 'node:crypto';
import type { Context } from 'koa';
import { tokenLifetimes } from '../config/token-lifetimes.ts';
import { RequestError } from '../libraries/errors.ts';
import { equalStrings } from '../libraries/equal-strings.ts';
import { isRecentSignIn } from '../libraries/recent-sign-in.ts';
import { tokenDigest } from '../libraries/token-digest.ts';
import { clearCookie, readCookie, writeCookie, type CookieSpec } from '../middleware/koa-cookies.ts';
import type { AccountRow } from '../queries/accounts.ts';
import type { Services } from '../services.ts';

export interface FirstPartyArea {
  clientId: string;
  /** Where paths of the area start ('/account'); only such paths are ever returned to. */
  prefix: string;
  /** The page a sign-in returns to when it was for no page in particular. */
  home: string;
  /** The cookie that remembers a sign-in's state while it is under way. */
  cookieName: string;
  /** acr_values every sign-in for the area asks for (the console: a second factor). */
  acrValues?: string;
}

export interface FirstPartySession {
  account: AccountRow;
  /** When the person last proved who they are (the session's loginTs, epoch seconds). */
  signedInAt: number;
  /** The session's assurance level (ACR.singleFactor or ACR.multiFactor). */
  acr: string | undefined;
  /** The provider session's stored id (the digest of its cookie): "this device" among the person's sessions. */
  sessionId: string;
}

interface PendingSignIn {
  state: string;
  returnTo: string;
}

export const callbackPath = (area: FirstPartyArea) => `${area.prefix}/callback`;
export const signInAgainPath = (area: FirstPartyArea) => `${area.prefix}/sign-in-again`;

export function firstPartySession(area: FirstPartyArea) {
  const cookie: CookieSpec = { name: area.cookieName, signed: true, maxAgeMs: tokenLifetimes.Interaction * 1000 }; // as long as the sign-in it waits for
  const pathPattern = new RegExp(`^${area.prefix}(?:/[\\w/.-]{0,200})?$`);

  /** Only paths of the area may be returned to: never a URL someone else chose. */
  const areaPath = (value: unknown, fallback = area.home) => (typeof value === 'string' && pathPattern.test(value) && !value.includes('..') ? value : fallback);

  /** The account signed in to this browser's provider session, if any and still active. */
  async function read(ctx: Context, services: Services): Promise<FirstPartySession | undefined> {
    const session = await services.provider.current.Session.get(ctx);
    if (!session.accountId || !session.loginTs) return undefined;
    const account = await services.accounts.maybeFindActiveAccount(session.accountId);
    return account && { account, signedInAt: session.loginTs, acr: session.acr, sessionId: tokenDigest(session.jti) };
  }

  /**
   * The URL of an authorization request for the area that returns to `returnTo`, remembering its
   * state in a signed cookie. `again` asks the person to sign in even when a session exists. The
   * code is never redeemed (the area reads the session itself), so the PKCE verifier is not kept:
   * the challenge is there because the provider demands one.
   */
  function signInUrl(ctx: Context, services: Services, returnTo: string, { again = false } = {}): string {
    const pending: PendingSignIn = { state: crypto.randomBytes(16).toString('base64url'), returnTo: areaPath(returnTo) };
    writeCookie(ctx, cookie, Buffer.from(JSON.stringify(pending)).toString('base64url'));
    const challenge = crypto.createHash('sha256').update(crypto.randomBytes(32)).digest('base64url');
    const query = new URLSearchParams({
      client_id: area.clientId, response_type: 'code', scope: 'openid', redirect_uri: `${services.config.issuer}${callbackPath(area)}`,
      state: pending.state, code_challenge: challenge, code_challenge_method: 'S256',
      ...(area.acrValues ? { acr_values: area.acrValues } : {}), ...(again ? { prompt: 'login' } : {}),
    });
    return `/auth?${query}`;
  }

  /** Where the callback goes on: the page the sign-in was for, once its state matches. */
  function finish(ctx: Context): string {
    const raw = readCookie(ctx, cookie);
    clearCookie(ctx, cookie);
    let pending: PendingSignIn | undefined;
    try {
      pending = raw ? JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PendingSignIn : undefined;
    } catch {
      pending = undefined;
    }
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    if (!pending || typeof pending.state !== 'string' || !state || !equalStrings(pending.state, state)) {
      throw new RequestError('session_expired', 400, 'This sign-in expired or was started in another tab. Open the page again.');
    }
    if (ctx.query.error === 'access_denied') throw new RequestError('access_denied', 403, 'You did not sign in, so the page cannot be shown.');
    if (ctx.query.error) throw new RequestError('session_expired', 400, 'The sign-in did not complete. Open the page again.');
    return areaPath(pending.returnTo);
  }

  /** Sends the browser on with 303 (or, for a script, answers 401 with `message`). */
  function sendTo(ctx: Context, location: string, message: string): undefined {
    if (ctx.method !== 'GET' && ctx.accepts('html', 'json') === 'json') throw new RequestError('login_required', 401, message);
    ctx.redirect(location);
    ctx.status = 303;
    return undefined;
  }

  /** The signed-in account, or undefined after sending the browser to sign in. */
  async function require(ctx: Context, services: Services): Promise<FirstPartySession | undefined> {
    const current = await read(ctx, services);
    if (current) return current;
    if (ctx.method !== 'GET') return sendTo(ctx, signInAgainPath(area), 'Your sign-in has ended. Reload the page and sign in.');
    return sendTo(ctx, signInUrl(ctx, services, ctx.path), '');
  }

  /**
   * Whether the session's sign-in is recent enough for a sensitive change; if not, nothing is
   * changed and the person is sent to sign in again (and then on to `returnTo`, if given).
   */
  function requireRecent(ctx: Context, current: FirstPartySession, message: string, returnTo?: string): boolean {
    if (isRecentSignIn(current.signedInAt)) return true;
    const query = returnTo ? `?${new URLSearchParams({ return: areaPath(returnTo) })}` : '';
    sendTo(ctx, `${signInAgainPath(area)}${query}`, message);
    return false;
  }

  return { areaPath, read, signInUrl, finish, require, requireRecent, sendTo };
}
