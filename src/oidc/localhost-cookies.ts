// Development on http://localhost with AUTHORIZATION_BY_POST=on: the session cookie must be
// SameSite=None, so Secure. Browsers accept Secure cookies from localhost over plain http (a
// secure context), but Koa refuses to set them on a connection it does not count as secure; for
// the provider's requests on a localhost issuer it counts the connection as secure. (On an https
// issuer the request says so itself.)
import type { Middleware } from 'koa';
import { isLoopbackHost } from '../config/env.ts';

export function secureCookiesOverLocalhost(issuer: string): Middleware {
  const url = new URL(issuer);
  const local = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  return async (ctx, next) => {
    if (local) Object.defineProperty(ctx.request, 'secure', { value: true });
    await next();
  };
}
