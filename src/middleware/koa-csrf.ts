// CSRF protection for Latchkey's own forms: a random token kept in a signed, HttpOnly cookie
// must come back in the form (or X-CSRF-Token) of every unsafe request.
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { RequestError } from '../libraries/errors.ts';

const COOKIE = 'lk_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

export function csrfProtection(): Middleware {
  return async (ctx, next) => {
    let token = ctx.cookies.get(COOKIE, { signed: true });
    if (!SAFE_METHODS.has(ctx.method)) {
      const body = ctx.request.body as Record<string, unknown> | undefined;
      const sent = typeof body?._csrf === 'string' ? body._csrf : ctx.get('X-CSRF-Token');
      if (!token || !sent || !equal(sent, token)) {
        throw new RequestError('csrf_failed', 403, 'This form expired or did not come from this site. Reload the page and try again.');
      }
    }
    if (!token) {
      token = crypto.randomBytes(32).toString('base64url');
      ctx.cookies.set(COOKIE, token, { signed: true, httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/' });
    }
    ctx.state.csrfToken = token;
    await next();
  };
}
