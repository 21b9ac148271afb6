// The browser's known-device cookie (OWASP device cookies): tags of the accounts this browser
// has fully signed in to, which earn it a password allowance of its own.
import type { Context } from 'koa';
import { parseKnownDevices, rememberKnownDevice } from '../../libraries/sign-in/known-devices.ts';

const COOKIE = 'lk_known';
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export const readKnownDevices = (ctx: Context): string[] => parseKnownDevices(ctx.cookies.get(COOKIE));

/** Remembers the account once the whole sign-in (every factor) succeeded, not before. */
export function rememberDevice(ctx: Context, deviceTag: string): void {
  ctx.cookies.set(COOKIE, rememberKnownDevice(readKnownDevices(ctx), deviceTag), {
    httpOnly: true, sameSite: 'lax', secure: ctx.secure, maxAge: YEAR_MS, path: '/',
  });
}
