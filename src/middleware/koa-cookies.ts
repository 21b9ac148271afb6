// Latchkey's own cookies, in one place: their names (__Host- over https, so a sibling
// subdomain cannot plant one), their attributes, and whether they are signed. A signed
// cookie is always verified when read; a sealed one (AES-GCM) needs no signature.
import type { Context } from 'koa';

export interface CookieSpec {
  /** The name without its prefix. */
  name: string;
  /** Signed with the app's keys (and verified on every read); false for sealed values. */
  signed: boolean;
  maxAgeMs?: number;
}

/** `__Host-` demands Secure and Path=/ and forbids Domain: exactly what every cookie here has over https. */
export const cookieName = (ctx: Context, name: string) => (ctx.secure ? `__Host-${name}` : name);

export function readCookie(ctx: Context, spec: CookieSpec): string | undefined {
  return ctx.cookies.get(cookieName(ctx, spec.name), { signed: spec.signed });
}

export function writeCookie(ctx: Context, spec: CookieSpec, value: string): void {
  ctx.cookies.set(cookieName(ctx, spec.name), value, {
    signed: spec.signed, httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', maxAge: spec.maxAgeMs, overwrite: true,
  });
}

export function clearCookie(ctx: Context, spec: CookieSpec): void {
  ctx.cookies.set(cookieName(ctx, spec.name), null, { signed: spec.signed, httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', overwrite: true });
}

/** The names (without prefix) of this request's cookies that start with `namePrefix`. */
export function cookieNamesStartingWith(ctx: Context, namePrefix: string): string[] {
  const full = cookieName(ctx, namePrefix);
  const prefixLength = full.length - namePrefix.length;
  return ctx.get('cookie').split(';').map((pair) => pair.split('=')[0]!.trim())
    .filter((name) => name.startsWith(full) && !name.endsWith('.sig')).map((name) => name.slice(prefixLength));
}
