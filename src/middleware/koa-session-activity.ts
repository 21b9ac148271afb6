// After a response, marks the browser session the request carried as active (at most once a
// minute per session: libraries/session-activity.ts). Off the request's path: a failure is
// logged, never shown.
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { SessionActivity } from '../libraries/session-activity.ts';

export function sessionActivity({ activity, cookieName, log }: { activity: SessionActivity; cookieName: string; log: Logger }): Middleware {
  return async (ctx, next) => {
    const cookie = ctx.cookies.get(cookieName); // the provider's own, unsigned; only its digest is ever used
    await next();
    if (cookie && cookie.length <= 200) {
      activity.seen(cookie).catch((error: unknown) => log.warn({ err: error }, 'could not mark a session active'));
    }
  };
}
