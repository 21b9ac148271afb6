// A sign-in waiting for a further step (a mailed code or link, a second factor, setting one
// up), remembered in a sealed cookie bound to one interaction: which address, which account
// this browser proved (if any), what it proved so far, how to finish.
import type { Context } from 'koa';
import { SecretBoxError } from '../../libraries/secret-box.ts';
import type { Services } from '../../services.ts';

const COOKIE = 'lk_pending';
const MAX_AGE_MS = 60 * 60 * 1000; // the interaction's own lifetime

export interface PendingSignIn {
  uid: string;
  /**
   * verify_email: prove the address of an account; email_code: sign in with a mailed code;
   * second_factor: pass one of the account's factors; enrol_factor: set one up first (asked for
   * by the application or by MFA_REQUIRED); enrolled: set up, recovery codes shown, ready to finish.
   */
  step: 'verify_email' | 'email_code' | 'second_factor' | 'enrol_factor' | 'enrolled';
  email: string;
  /** The account this browser registered or gave the password of; null when the address was taken. */
  accountId: string | null;
  remember: boolean;
  amr: string[];
  /** Set when this browser opened the verification link. */
  linkVerified?: boolean;
  /** The authenticator-app set-up shown on the enrol_factor step. */
  totpFactorId?: string;
}

/** The pending sign-in of interaction `uid`, or of whichever interaction this browser is in (the link page). */
export function readPendingSignIn(ctx: Context, services: Services, uid?: string): PendingSignIn | undefined {
  const sealed = ctx.cookies.get(COOKIE);
  if (!sealed) return undefined;
  try {
    const pending = JSON.parse(services.secretBox.open('pending-sign-in', sealed)) as PendingSignIn;
    return uid === undefined || pending.uid === uid ? pending : undefined;
  } catch (error) {
    if (error instanceof SecretBoxError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export function writePendingSignIn(ctx: Context, services: Services, pending: PendingSignIn): void {
  ctx.cookies.set(COOKIE, services.secretBox.seal('pending-sign-in', JSON.stringify(pending)), {
    httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', maxAge: MAX_AGE_MS,
  });
}

export function clearPendingSignIn(ctx: Context): void {
  ctx.cookies.set(COOKIE, null, { path: '/' });
}
