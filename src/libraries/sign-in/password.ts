// Sign-in with email and password. Every credential mistake gets one answer; attempts are
// throttled per IP, per account and IP, and per account (sparing the owner's known devices).
import type { AccountRow } from '../../queries/accounts.ts';
import type { Queries } from '../../queries/index.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { accountDisabled, type Accounts } from '../accounts.ts';
import { normaliseEmail } from '../email-address.ts';
import { RequestError, assertThat } from '../errors.ts';
import { PASSWORD_MAX_LENGTH } from '../password-policy.ts';
import type { SecretBox } from '../secret-box.ts';
import { ipBucket, type Throttle, type ThrottleSubject } from '../throttle.ts';

const HOUR = 60 * 60;
export const passwordSignInRules = {
  ip: { limit: 50, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR },
  accountAndIp: { limit: 5, blockSeconds: 30, maxBlockSeconds: 15 * 60, quietSeconds: HOUR },
  account: { limit: 10, blockSeconds: 60, maxBlockSeconds: 15 * 60, quietSeconds: HOUR },
};

export const INVALID_CREDENTIALS = 'The email address or password is incorrect.';

export interface PasswordSignInAttempt {
  email: unknown;
  password: unknown;
  ip: string;
  /** Account tags from the browser's known-device cookie. */
  knownDevices: string[];
}

export function createPasswordSignIn({ queries, accounts, throttle, secretBox }: { queries: Queries; accounts: Accounts; throttle: Throttle; secretBox: SecretBox }) {
  return async function signInWithPassword(attempt: PasswordSignInAttempt): Promise<{ account: AccountRow; deviceTag: string }> {
    const email = normaliseEmail(attempt.email);
    assertThat(typeof attempt.password === 'string' && attempt.password.length > 0, 'password_required', 'Enter your password.');
    const password = attempt.password;

    const accountTag = secretBox.tag('email', email);
    const known = attempt.knownDevices.includes(accountTag);
    const ip = ipBucket(attempt.ip);
    // A browser that signed in to this account before has an allowance of its own, which no
    // stranger can use up, whatever address they send from or claim.
    const subjects: ThrottleSubject[] = known
      ? [{ key: `signin:ip:${ip}`, rule: passwordSignInRules.ip, shared: true }, { key: `signin:account-known:${accountTag}`, rule: passwordSignInRules.account }]
      : [
        { key: `signin:ip:${ip}`, rule: passwordSignInRules.ip, shared: true },
        { key: `signin:account-ip:${accountTag}:${ip}`, rule: passwordSignInRules.accountAndIp },
        { key: `signin:account:${accountTag}`, rule: passwordSignInRules.account },
      ];
    // A right password resets the account's counts, never the IP's: an attacker's own account must not.
    const account = await throttle.guess(subjects, async () => ([...password].length <= PASSWORD_MAX_LENGTH
      ? accounts.authenticateWithPassword(email, password)
      : undefined), { reset: subjects.filter((subject) => !subject.shared) });
    if (!account) throw new RequestError('invalid_credentials', 401, INVALID_CREDENTIALS);
    if (account.disabled) {
      await recordAudit(queries, { type: 'sign_in.failed', subjectId: account.id, details: { method: 'password', reason: 'account_disabled' } });
      throw accountDisabled();
    }
    return { account, deviceTag: accountTag };
  };
}
