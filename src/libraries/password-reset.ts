// Forgotten passwords: a mailed link (30 min, single use) leads to a new password under the
// same policy. Afterwards every session and token of the account is revoked and the owner
// told by mail; nobody is signed in by it. Unknown addresses get the same answer and no mail.
import type { Config } from '../config/env.ts';
import type { Mail } from '../mail/index.ts';
import { greetingName } from '../mail/greeting.ts';
import type { Queries } from '../queries/index.ts';
import type { AccountRow } from '../queries/accounts.ts';
import { normaliseEmail } from './email-address.ts';
import { RequestError } from './errors.ts';
import { recordAudit } from './audit/audit-log.ts';
import type { MailLimits } from './mail-limits.ts';
import type { ClaimAddress } from './address-claim.ts';
import { oneTimeLifetimes, type OneTimeSecrets } from './one-time-secrets.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { PasswordHasher } from './passwords.ts';
import { answerNoSoonerThan, STEADY_ANSWER_MS } from './steady-timing.ts';
import { signOut } from './sign-out.ts';

/** Queues the "choose a new password" mail with a fresh link, in the caller's transaction (a request, or an administrator's). */
export async function queueResetMail(q: Queries, { config, oneTimeSecrets, mail }: { config: Config; oneTimeSecrets: OneTimeSecrets; mail: Mail }, account: AccountRow): Promise<void> {
  const token = await oneTimeSecrets.issueLink(q, {
    purpose: 'reset_password', email: account.email, accountId: account.id, ttlSeconds: oneTimeLifetimes.resetPasswordLink,
  });
  await mail.enqueue(q, {
    to: account.email,
    subject: 'mail.passwordReset.subject',
    template: 'password-reset',
    accountLanguage: account.language,
    data: { name: greetingName(account), link: `${config.issuer}/password/reset?token=${token}`, minutes: oneTimeLifetimes.resetPasswordLink / 60 },
  });
}

export function createPasswordReset({ config, queries, oneTimeSecrets, mail, mailLimits, hasher, passwordPolicy, claimAddress }: {
  config: Config; queries: Queries; oneTimeSecrets: OneTimeSecrets; mail: Mail; mailLimits: MailLimits;
  hasher: PasswordHasher; passwordPolicy: PasswordPolicy; claimAddress: ClaimAddress;
}) {
  async function accountOfLink(token: unknown) {
    const row = await oneTimeSecrets.checkLink({ purpose: 'reset_password', token });
    const account = row.account_id ? await queries.accounts.maybeFindAccountById(row.account_id) : undefined;
    if (!account || account.disabled || account.email !== row.email) {
      throw new RequestError('link_invalid', 400, 'This link has expired or was already used. Ask for a new one.', { messageKey: 'messages.linkUsedAskNew' });
    }
    return { row, account };
  }

  return {
    /** Mails a reset link when the address has an active account; answers the same either way. */
    requestReset: ({ email: input, ip }: { email: unknown; ip: string }) => answerNoSoonerThan(STEADY_ANSWER_MS, async (): Promise<{ email: string }> => {
      const email = normaliseEmail(input);
      await mailLimits.reserveSend('reset_password', email, ip);
      const account = await queries.accounts.maybeFindAccountByEmail(email);
      if (!account || account.disabled) return { email };
      await queries.transaction((q) => queueResetMail(q, { config, oneTimeSecrets, mail }, account));
      return { email };
    }),

    /** The account a live reset link is for (to greet its owner), or link_invalid. */
    async checkLink(token: unknown): Promise<AccountRow> {
      return (await accountOfLink(token)).account;
    },

    async resetPassword({ token, password }: { token: unknown; password: unknown }): Promise<AccountRow> {
      const { row, account } = await accountOfLink(token);
      const checked = passwordPolicy.check(password, {
        email: account.email, name: account.name, givenName: account.given_name, familyName: account.family_name,
      });
      const hash = await hasher.hash(checked);
      await queries.transaction(async (q) => {
        await oneTimeSecrets.consume(q, row);
        // An address proved only now: whatever its registrant set up goes with the old password.
        const claimed = await claimAddress(q, account.id);
        if (!claimed && !account.email_verified) await recordAudit(q, { type: 'email.verified', subjectId: account.id, details: { how: 'reset_link' } });
        await q.accounts.changePassword(account.id, hash);
        await recordAudit(q, { type: 'password.reset', subjectId: account.id });
        // Whoever knew the old password is out: sessions, grants and every token end here.
        await signOut(q, account.id);
        await mail.enqueue(q, {
          to: account.email,
          subject: 'mail.passwordChanged.subject',
          template: 'password-changed',
          accountLanguage: account.language,
          data: { name: greetingName(account), forgotLink: `${config.issuer}/password/forgot` },
        });
      });
      return account;
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
