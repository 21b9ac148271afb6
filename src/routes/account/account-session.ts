// Who is signed in to the account area: the account area as a first-party area (see
// ../first-party-session.ts), signed in as the built-in account client.
import type { Context } from 'koa';
import { ACCOUNT_CLIENT_ID } from '../../oidc/first-party-clients.ts';
import type { Services } from '../../services.ts';
import { firstPartySession, type FirstPartyArea, type FirstPartySession } from '../first-party-session.ts';

export const ACCOUNT_AREA: FirstPartyArea = { clientId: ACCOUNT_CLIENT_ID, prefix: '/account', home: '/account/security', cookieName: 'lk_account_sign_in' };
export const SIGN_IN_AGAIN_NOTICE = 'Sign in again to change your security settings.';

export type AccountSession = FirstPartySession;

const area = firstPartySession(ACCOUNT_AREA);
export const accountSignInUrl = area.signInUrl;
export const finishAccountSignIn = area.finish;
export const requireAccountSession = area.require;

/**
 * The signed-in account, if the sign-in is recent enough for a security change; otherwise
 * nothing is changed and the person is sent to sign in again (JSON callers get a 401).
 */
export async function requireRecentSignIn(ctx: Context, services: Services): Promise<AccountSession | undefined> {
  const current = await area.require(ctx, services);
  return current && area.requireRecent(ctx, current, SIGN_IN_AGAIN_NOTICE) ? current : undefined;
}
