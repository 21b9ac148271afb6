// After a response, marks the browser session the request carried as active (at most once a
// minute per session: libraries/session-activity.ts). Off the request's path: a failure is
// logged, never shown. Only on the pages and endpoints that use the session (sign-in, sign-out,
// the account area, the console): a cookie made up and sent to discovery or a static file would
// otherwise cost a statement per request.
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { SessionActivity } from '../libraries/session-activity.ts';

/** The value of the cookie `name` in a Cookie header, if present. */
function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

const SESSION_PATHS = /^\/(?:auth|session\/end|interaction|account|admin)(?:[/?]|$)/;

export function sessionActivity({ activity, cookieName, log }: { activity: SessionActivity; cookieName: string; log: Logger }): Middleware {
  return async (ctx, next) => {
    if (!SESSION_PATHS.test(ctx.path)) return next();
    // Read from the header, not ctx.cookies: that would fix whether this request counts as secure
    // before the provider's own middleware (oidc/localhost-cookies.ts) decides it.
    const cookie = cookieValue(ctx.get('cookie'), cookieName); // the provider's own, unsigned; only its digest is ever used
    await next();
    if (cookie && cookie.length <= 200) {
      activity.seen(cookie).catch((error: unknown) => log.warn({ err: error }, 'could not mark a session active'));
    }
  };
}
