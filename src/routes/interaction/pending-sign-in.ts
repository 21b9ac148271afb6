// A sign-in waiting for a further step (a mailed code or link, a second factor, setting one
// up), remembered in a sealed cookie bound to one interaction: which address, which account
// this browser proved (if any), what it proved so far, how to finish.
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import { SecretBoxError } from '../../libraries/secret-box.ts';
import { clearCookie, cookieNamesStartingWith, readCookie, writeCookie, type CookieSpec } from '../../middleware/koa-cookies.ts';
import { tokenLifetimes } from '../../config/token-lifetimes.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import type { Services } from '../../services.ts';
import { loadInteraction } from './load-interaction.ts';

const COOKIE_PREFIX = 'lk_pending_';

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
  /**
   * When the account's password last changed, as this browser found it: a reset (or the owner
   * claiming the address) since then ends this sign-in, whatever was proved before.
   */
  passwordStamp: string | null;
  /** The known-device tag a password sign-in earns, given once every factor is passed. */
  deviceTag?: string;
}

export const passwordStampOf = (account: Pick<AccountRow, 'password_changed_at'>) => account.password_changed_at?.toISOString() ?? null;

const expired = () => new RequestError('session_expired', 400, 'This sign-in step expired. Go back to the application and sign in again.');

/**
 * The interaction and its pending sign-in, if it waits at one of `steps`; with the account it is
 * about, which must still be active and have the password this browser proved.
 */
export async function loadPendingStep(ctx: Context, services: Services, steps: PendingSignIn['step'][]) {
  const loaded = await loadInteraction(ctx, services, 'login');
  const pending = readPendingSignIn(ctx, services, loaded.details.uid);
  if (!pending || !steps.includes(pending.step)) throw expired();
  const account = await pendingAccount(services, pending);
  if (pending.accountId && !account) throw expired();
  return { ...loaded, pending, account };
}

/** The account of a pending sign-in, unless it is gone, disabled or its password changed since. */
export async function pendingAccount(services: Services, pending: PendingSignIn): Promise<AccountRow | undefined> {
  if (!pending.accountId) return undefined;
  const account = await services.accounts.maybeFindActiveAccount(pending.accountId);
  return account && passwordStampOf(account) === pending.passwordStamp ? account : undefined;
}

/**
 * One cookie per authorization request, so sign-ins in two tabs do not overwrite each other.
 * Sealed (AES-GCM authenticates it), so not signed as well; it lives as long as the interaction.
 */
const cookieOf = (uid: string): CookieSpec => ({ name: `${COOKIE_PREFIX}${uid}`, signed: false, maxAgeMs: tokenLifetimes.Interaction * 1000 });

function unseal(services: Services, sealed: string | undefined): PendingSignIn | undefined {
  if (!sealed) return undefined;
  try {
    return JSON.parse(services.secretBox.open('pending-sign-in', sealed)) as PendingSignIn;
  } catch (error) {
    if (error instanceof SecretBoxError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** The pending sign-in of interaction `uid`. */
export function readPendingSignIn(ctx: Context, services: Services, uid: string): PendingSignIn | undefined {
  const pending = unseal(services, readCookie(ctx, cookieOf(uid)));
  return pending?.uid === uid ? pending : undefined;
}

/** Every pending sign-in of this browser (for the verification link, which belongs to no request). */
export function readAllPendingSignIns(ctx: Context, services: Services): PendingSignIn[] {
  return cookieNamesStartingWith(ctx, COOKIE_PREFIX).flatMap((name) => {
    const pending = unseal(services, readCookie(ctx, { name, signed: false }));
    return pending && cookieOf(pending.uid).name === name ? [pending] : [];
  });
}

export function writePendingSignIn(ctx: Context, services: Services, pending: PendingSignIn): void {
  writeCookie(ctx, cookieOf(pending.uid), services.secretBox.seal('pending-sign-in', JSON.stringify(pending)));
}

export function clearPendingSignIn(ctx: Context, uid: string): void {
  clearCookie(ctx, cookieOf(uid));
}
