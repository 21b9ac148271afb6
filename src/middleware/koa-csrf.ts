// CSRF protection for Latchkey's own forms: a random token kept in a signed, HttpOnly cookie
// must come back in the form (or X-CSRF-Token) of every unsafe request.
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { equalStrings } from '../libraries/equal-strings.ts';
import { RequestError } from '../libraries/errors.ts';
import { readCookie, writeCookie, type CookieSpec } from './koa-cookies.ts';

const COOKIE: CookieSpec = { name: 'lk_csrf', signed: true };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfProtection(): Middleware {
  return async (ctx, next) => {
    let token = readCookie(ctx, COOKIE);
    if (!SAFE_METHODS.has(ctx.method)) {
      const body = ctx.request.body as Record<string, unknown> | undefined;
      const sent = typeof body?._csrf === 'string' ? body._csrf : ctx.get('X-CSRF-Token');
      if (!token || !sent || !equalStrings(sent, token)) {
        throw new RequestError('csrf_failed', 403, 'This form expired or did not come from this site. Reload the page and try again.');
      }
    }
    if (!token) {
      token = crypto.randomBytes(32).toString('base64url');
      writeCookie(ctx, COOKIE, token);
    }
    ctx.state.csrfToken = token;
    await next();
  };
}
