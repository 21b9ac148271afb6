// Who is signed in to the account area: read from oidc-provider's own session (the sign-in
// the hosted pages made), with sign-in and re-authentication going through /auth as a client.
import crypto from 'node:crypto';
import type { Context } from 'koa';
import { tokenLifetimes } from '../../config/token-lifetimes.ts';
import { RequestError } from '../../libraries/errors.ts';
import { equalStrings } from '../../libraries/equal-strings.ts';
import { clearCookie, readCookie, writeCookie, type CookieSpec } from '../../middleware/koa-cookies.ts';
import { isRecentSignIn } from '../../libraries/recent-sign-in.ts';
import { ACCOUNT_CALLBACK_PATH, ACCOUNT_CLIENT_ID } from '../../oidc/account-client.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import type { Services } from '../../services.ts';

const COOKIE: CookieSpec = { name: 'lk_account_sign_in', signed: true, maxAgeMs: tokenLifetimes.Interaction * 1000 }; // as long as the sign-in it waits for
export const SIGN_IN_AGAIN_NOTICE = 'Sign in again to change your security settings.';

export interface AccountSession {
  account: AccountRow;
  /** When the person last proved who they are (the session's loginTs, epoch seconds). */
  signedInAt: number;
}

interface PendingAccountSignIn {
  state: string;
  returnTo: string;
}

/** Only account-area paths may be returned to: never a URL someone else chose. */
export const accountPath = (value: unknown, fallback = '/account/security') =>
  (typeof value === 'string' && /^\/account\/[\w/-]{0,100}$/.test(value) ? value : fallback);

/** The account signed in to this browser's provider session, if any and still active. */
export async function readAccountSession(ctx: Context, services: Services): Promise<AccountSession | undefined> {
  const session = await services.provider.current.Session.get(ctx);
  if (!session.accountId || !session.loginTs) return undefined;
  const account = await services.accounts.maybeFindActiveAccount(session.accountId);
  return account && { account, signedInAt: session.loginTs };
}

/**
 * The URL of an authorization request for the account area that returns to `returnTo`,
 * remembering its state in a signed cookie. `again` asks the person to sign in even when a
 * session exists. The code is never redeemed (the account area reads the session itself), so
 * the PKCE verifier is not kept: the challenge is there because the provider demands one.
 */
export function accountSignInUrl(ctx: Context, services: Services, returnTo: string, { again = false } = {}): string {
  const pending: PendingAccountSignIn = { state: crypto.randomBytes(16).toString('base64url'), returnTo: accountPath(returnTo) };
  writeCookie(ctx, COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'));
  const challenge = crypto.createHash('sha256').update(crypto.randomBytes(32)).digest('base64url');
  const query = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID, response_type: 'code', scope: 'openid', redirect_uri: `${services.config.issuer}${ACCOUNT_CALLBACK_PATH}`,
    state: pending.state, code_challenge: challenge, code_challenge_method: 'S256', ...(again ? { prompt: 'login' } : {}),
  });
  return `/auth?${query}`;
}

/** Where the callback goes on: the page the sign-in was for, once its state matches. */
export function finishAccountSignIn(ctx: Context): string {
  const raw = readCookie(ctx, COOKIE);
  clearCookie(ctx, COOKIE);
  let pending: PendingAccountSignIn | undefined;
  try {
    pending = raw ? JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PendingAccountSignIn : undefined;
  } catch {
    pending = undefined;
  }
  const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
  if (!pending || typeof pending.state !== 'string' || !state || !equalStrings(pending.state, state)) {
    throw new RequestError('session_expired', 400, 'This sign-in expired or was started in another tab. Open your account page again.');
  }
  if (ctx.query.error === 'access_denied') throw new RequestError('access_denied', 403, 'You did not sign in, so your account page cannot be shown.');
  if (ctx.query.error) throw new RequestError('session_expired', 400, 'The sign-in did not complete. Open your account page again.');
  return accountPath(pending.returnTo);
}

/** The signed-in account, or undefined after sending the browser to sign in (JSON callers get a 401). */
export async function requireAccountSession(ctx: Context, services: Services): Promise<AccountSession | undefined> {
  const current = await readAccountSession(ctx, services);
  if (current) return current;
  if (ctx.method !== 'GET') {
    if (ctx.accepts('html', 'json') === 'json') throw new RequestError('login_required', 401, 'Your sign-in has ended. Reload the page and sign in.');
    ctx.redirect('/account/sign-in-again');
    ctx.status = 303;
    return undefined;
  }
  ctx.redirect(accountSignInUrl(ctx, services, ctx.path));
  ctx.status = 303;
  return undefined;
}

/**
 * The signed-in account, if the sign-in is recent enough for a security change; otherwise
 * nothing is changed and the person is sent to sign in again (JSON callers get a 401).
 */
export async function requireRecentSignIn(ctx: Context, services: Services): Promise<AccountSession | undefined> {
  const current = await requireAccountSession(ctx, services);
  if (!current || isRecentSignIn(current.signedInAt)) return current;
  if (ctx.accepts('html', 'json') === 'json') throw new RequestError('login_required', 401, SIGN_IN_AGAIN_NOTICE);
  ctx.redirect('/account/sign-in-again');
  ctx.status = 303;
  return undefined;
}
