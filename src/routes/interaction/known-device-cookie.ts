// The browser's known-device cookie (OWASP device cookies): tags of the accounts this browser
// has fully signed in to, which earn it a password allowance of its own.
import type { Context } from 'koa';
import { parseKnownDevices, rememberKnownDevice } from '../../libraries/sign-in/known-devices.ts';
import { readCookie, writeCookie, type CookieSpec } from '../../middleware/koa-cookies.ts';

const COOKIE: CookieSpec = { name: 'lk_known', signed: true, maxAgeMs: 365 * 24 * 60 * 60 * 1000 };

export const readKnownDevices = (ctx: Context): string[] => parseKnownDevices(readCookie(ctx, COOKIE));

/** Remembers the account once the whole sign-in (every factor) succeeded, not before. */
export function rememberDevice(ctx: Context, deviceTag: string): void {
  writeCookie(ctx, COOKIE, rememberKnownDevice(readKnownDevices(ctx), deviceTag));
}
