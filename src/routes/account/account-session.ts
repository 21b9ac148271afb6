// Who is signed in to the account area: the account area as a first-party area (see
// ../first-party-session.ts), signed in as the built-in account client.
import type { Context } from 'koa';
import { ACCOUNT_CLIENT_ID } from '../../oidc/first-party-clients.ts';
import type { Services } from '../../services.ts';
import { firstPartySession, type FirstPartyArea, type FirstPartySession } from '../first-party-session.ts';

export const ACCOUNT_AREA: FirstPartyArea = { clientId: ACCOUNT_CLIENT_ID, prefix: '/account', home: '/account', cookieName: 'lk_account_sign_in' };
export const SIGN_IN_AGAIN_NOTICE = 'Sign in again to change your account: the last sign-in was more than 5 minutes ago.';

export type AccountSession = FirstPartySession;

const area = firstPartySession(ACCOUNT_AREA);
export const accountPath = area.areaPath;
export const accountSignInUrl = area.signInUrl;
export const finishAccountSignIn = area.finish;
export const requireAccountSession = area.require;

/**
 * The signed-in account, if the sign-in is recent enough (5 minutes) for a change; otherwise
 * nothing is changed and the person is sent to sign in again, then on to `returnTo` (the page
 * the change was made on; JSON callers get a 401).
 */
export async function requireRecentSignIn(ctx: Context, services: Services, returnTo?: string): Promise<AccountSession | undefined> {
  const current = await area.require(ctx, services);
  return current && area.requireRecent(ctx, current, SIGN_IN_AGAIN_NOTICE, returnTo) ? current : undefined;
}
