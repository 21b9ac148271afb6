// What a new password must be (NIST SP 800-63B): long enough, not absurdly long, nothing else.
import { assertThat } from './errors.ts';

export const PASSWORD_MIN_LENGTH = 8;
/** Long enough for any passphrase; bounds hashing work per request. */
export const PASSWORD_MAX_LENGTH = 1024;

export function checkNewPassword(password: unknown): string {
  assertThat(typeof password === 'string' && password.length > 0, 'password_required', 'Enter a password.');
  const length = [...password].length;
  assertThat(length >= PASSWORD_MIN_LENGTH, 'password_too_short', `Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  assertThat(length <= PASSWORD_MAX_LENGTH, 'password_too_long', `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  return password;
}
