// Who is using the admin console: the console as a first-party area (see ../first-party-session.ts),
// signed in as the built-in admin client, always asking for a second factor. The gate admits
// admins whose session passed one; anyone else is refused, and nothing they send is acted on.
import type { Context, Middleware } from 'koa';
import { actAs } from '../../libraries/audit/context.ts';
import { RequestError } from '../../libraries/errors.ts';
import { consoleAccess } from '../../libraries/console-access.ts';
import { ACR } from '../../libraries/mfa/assurance.ts';
import { ADMIN_CLIENT_ID } from '../../oidc/first-party-clients.ts';
import type { Services } from '../../services.ts';
import { firstPartySession, type FirstPartyArea, type FirstPartySession } from '../first-party-session.ts';

export const CONSOLE_AREA: FirstPartyArea = {
  clientId: ADMIN_CLIENT_ID, prefix: '/admin', home: '/admin', cookieName: 'lk_admin_sign_in', acrValues: ACR.multiFactor,
};

export const consoleArea = firstPartySession(CONSOLE_AREA);

/** Paths of the console that answer without an admin: the way in, and the way back in. */
const OPEN_PATHS = new Set(['/admin/callback', '/admin/sign-in-again']);

/** The admin the gate let in; a route the gate did not guard has none, and does nothing. */
export function consoleAdmin(ctx: Context): FirstPartySession {
  const admin = ctx.state.admin as FirstPartySession | undefined;
  if (!admin) throw new RequestError('forbidden', 403, 'Admins only.');
  return admin;
}

/**
 * Every console request but the way in: signed in (else to the sign-in), an admin (else a plain
 * refusal), with a second factor in this session (else back through the sign-in, which asks
 * for one). From here on the admin is the actor of every audit event the request records.
 */
export function consoleGate(services: Services): Middleware {
  return async (ctx, next) => {
    if (OPEN_PATHS.has(ctx.path)) return next();
    const session = await consoleArea.require(ctx, services);
    if (!session) return;
    const access = consoleAccess(session);
    if (access === 'not_admin' || (access === 'second_factor_needed' && ctx.method !== 'GET')) {
      ctx.status = 403;
      ctx.type = 'html';
      ctx.body = await services.renderPage('admin/refused', { title: 'console.refused.title', email: session.account.email, access });
      return;
    }
    if (access === 'second_factor_needed') {
      ctx.redirect(consoleArea.signInUrl(ctx, services, ctx.path));
      ctx.status = 303;
      return;
    }
    ctx.state.admin = session;
    actAs({ type: 'account', id: session.account.id });
    await next();
  };
}

/**
 * For a destructive action: true when the admin signed in within the last five minutes;
 * otherwise nothing is done and the browser goes to sign in again, then back to `returnTo`.
 */
export const recentSignIn = (ctx: Context, returnTo: string): boolean =>
  consoleArea.requireRecent(ctx, consoleAdmin(ctx), 'Sign in again to do this.', returnTo);
