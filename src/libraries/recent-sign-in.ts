// How recent a sign-in must be before a person may change what protects their account
// (second factors, recovery codes): someone at an unlocked, long-signed-in browser may not.
export const RECENT_SIGN_IN_SECONDS = 5 * 60;

/** Whether a sign-in at `signedInAt` (epoch seconds) is recent enough for a security change. */
export function isRecentSignIn(signedInAt: number, now = Date.now() / 1000): boolean {
  return now - signedInAt <= RECENT_SIGN_IN_SECONDS;
}
