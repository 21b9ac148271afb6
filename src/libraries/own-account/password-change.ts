// A person changing their own password on the account page, or setting a first one (an account
// that signed in only with mailed codes or passkeys): the current password first (throttled like
// sign-in), the policy for the new one, then the other sessions and their tokens end unless the
// person keeps them, and the owner is mailed.
import type { Config } from '../../config/env.ts';
import { greetingName } from '../../mail/greeting.ts';
import type { Mail } from '../../mail/index.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import type { Queries } from '../../queries/index.ts';
import type { Accounts } from '../accounts.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { deviceName, deviceNames } from '../device-names.ts';
import { assertThat, RequestError } from '../errors.ts';
import { phrase } from '../i18n/phrase.ts';
import { PASSWORD_MAX_LENGTH, type PasswordPolicy } from '../password-policy.ts';
import type { PasswordHasher } from '../passwords.ts';
import { signOut } from '../sign-out.ts';
import type { Throttle } from '../throttle.ts';

const HOUR = 60 * 60;
/** Wrong current passwords given by a signed-in browser, per account: a stolen session must not become a way to guess it. */
const currentPasswordRule = { limit: 5, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR };

export interface PasswordChange {
  /** The account's password now; ignored (and not asked for) when the account has none. */
  current: unknown;
  password: unknown;
  /** End every other session, with the grants and tokens they and earlier sign-ins left (ticked by default on the page). */
  signOutOthers: boolean;
  /** The stored id of the session the change is made in: it stays signed in. */
  thisSession: string;
  /** The browser the change was made from, named in the owner's mail. */
  from: { ip: string; userAgent: string | undefined };
}

export function createOwnPasswordChange({ config, queries, accounts, throttle, hasher, passwordPolicy, mail }: {
  config: Config; queries: Queries; accounts: Pick<Accounts, 'authenticateWithPassword'>; throttle: Throttle;
  hasher: PasswordHasher; passwordPolicy: PasswordPolicy; mail: Mail;
}) {
  /**
   * Throws password_wrong unless `password` is the account's current one: the sign-in's own check
   * (one argon2 verification, a failed attempt audited), counted against the account by the throttle.
   */
  async function proveCurrentPassword(account: Pick<AccountRow, 'id' | 'email'>, password: unknown): Promise<void> {
    assertThat(typeof password === 'string' && password.length > 0, 'current_password_required', 'Enter your current password.', 400,
      { messageKey: 'account.password.currentRequired' });
    const subject = { key: `own-password:account:${account.id}`, rule: currentPasswordRule };
    const proved = await throttle.guess([subject], async () => ([...password].length <= PASSWORD_MAX_LENGTH
      && (await accounts.authenticateWithPassword(account.email, password))?.id === account.id) || undefined, { reset: [subject] });
    if (!proved) throw new RequestError('password_wrong', 400, 'That is not the current password of this account.', { messageKey: 'account.password.currentWrong' });
  }

  return {
    /** Sets the new password; returns how many records of other sessions ended (0 when kept). */
    async change(account: AccountRow, change: PasswordChange): Promise<{ ended: number }> {
      const first = account.password_hash === null;
      const password = passwordPolicy.check(change.password, {
        email: account.email, name: account.name, givenName: account.given_name, familyName: account.family_name,
      });
      if (!first) await proveCurrentPassword(account, change.current);
      const hash = await hasher.hash(password);
      return queries.transaction(async (q) => {
        await q.accounts.lockAccount(account.id);
        // A password set, changed or dropped meanwhile (another tab) was not the one proved, or not there to ask for.
        // (Not the hash: proving the password may have rehashed it with new parameters.)
        const now = await q.accounts.maybeFindAccountById(account.id);
        if (!now || (now.password_hash === null) !== first || now.password_changed_at?.getTime() !== account.password_changed_at?.getTime()) {
          throw new RequestError('password_changed_meanwhile', 409, 'Your password was changed meanwhile. Open the page again.', { messageKey: 'account.password.changedMeanwhile' });
        }
        await q.accounts.setOwnPassword(account.id, hash);
        const { ended } = change.signOutOthers ? await signOut(q, account.id, { everywhere: true, keepSession: change.thisSession }) : { ended: 0 };
        await recordAudit(q, { type: 'password.changed', subjectId: account.id, details: { by: 'self', first, other_sessions_ended: change.signOutOthers } });
        await mail.enqueue(q, {
          to: account.email,
          subject: first ? 'mail.ownPasswordChanged.subjectSet' : 'mail.ownPasswordChanged.subject',
          template: 'own-password-changed',
          accountLanguage: account.language,
          data: {
            name: greetingName(account),
            what: phrase(first ? 'mail.ownPasswordChanged.set' : 'mail.ownPasswordChanged.changed', {
              when: new Date(), device: deviceName(deviceNames(change.from.userAgent)), ip: change.from.ip,
            }),
            othersSignedOut: change.signOutOthers, devicesLink: `${config.issuer}/account/devices`, forgotLink: `${config.issuer}/password/forgot`,
          },
        });
        return { ended };
      });
    },
  };
}

export type OwnPasswordChange = ReturnType<typeof createOwnPasswordChange>;
