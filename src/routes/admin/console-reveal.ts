// A secret made by a console form (a client secret, an API token) is shown once, on the page the
// form redirects to: it travels in a sealed cookie (neither readable nor forgeable), for a few
// minutes, for the admin who made it and the page it belongs to, and is gone once that page has
// shown it. Never in a URL, so never in a log or the browser's history.
import type { Context } from 'koa';
import { clearCookie, readCookie, writeCookie, type CookieSpec } from '../../middleware/koa-cookies.ts';
import type { Services } from '../../services.ts';
import { consoleAdmin } from './console-session.ts';

const COOKIE: CookieSpec = { name: 'lk_console_reveal', signed: false, maxAgeMs: 5 * 60_000 };

interface Sealed<T> { page: string; adminId: string; until: number; shown: T }

/** Keeps `shown` for the next view of `page` (a path) by this admin. */
export function revealOnPage<T>(ctx: Context, services: Services, page: string, shown: T): void {
  const sealed: Sealed<T> = { page, adminId: consoleAdmin(ctx).account.id, until: Date.now() + COOKIE.maxAgeMs!, shown };
  writeCookie(ctx, COOKIE, services.secretBox.seal('console-reveal', JSON.stringify(sealed)));
}

/**
 * What waits to be shown on `page`, taken (only by the page's GET: a HEAD, or a form shown again,
 * would use it up unseen); what waits for another page stays for it.
 */
export function takeRevealed<T>(ctx: Context, services: Services, page: string): T | undefined {
  if (ctx.method !== 'GET') return undefined;
  const cookie = readCookie(ctx, COOKIE);
  if (!cookie) return undefined;
  let sealed: Sealed<T> | undefined;
  try {
    sealed = JSON.parse(services.secretBox.open('console-reveal', cookie)) as Sealed<T>;
  } catch {
    sealed = undefined; // not one of ours: dropped below
  }
  if (sealed && sealed.page !== page) return undefined;
  clearCookie(ctx, COOKIE);
  return sealed && sealed.adminId === consoleAdmin(ctx).account.id && sealed.until > Date.now() ? sealed.shown : undefined;
}
