// Proving an address: a mail with a link (24 h) and a 6-digit code (10 min); either one
// verifies the account's address, once. Proved in the registrant's own sign-in, the account is
// theirs; proved anywhere else, the address's owner claims it (address-claim.ts) and chooses a
// password of their own.
import type { Config } from '../config/env.ts';
import type { Mail } from '../mail/index.ts';
import type { Queries } from '../queries/index.ts';
import type { OneTimeSecretRow } from '../queries/one-time-secrets.ts';
import type { ClaimAddress } from './address-claim.ts';
import type { MailLimits } from './mail-limits.ts';
import { oneTimeLifetimes, type OneTimeSecrets } from './one-time-secrets.ts';
import { RequestError } from './errors.ts';
import { recordAudit } from './audit/audit-log.ts';
import { answerNoSoonerThan, STEADY_ANSWER_MS } from './steady-timing.ts';

interface AccountToVerify {
  id: string;
  email: string;
}

/**
 * The address is proved. `claimed`: proved away from the registrant's sign-in, so the owner took
 * the account over and must choose its password, with `passwordToken` (a reset link's token).
 */
export type Verified = { accountId: string; claimed: false } | { accountId: string; claimed: true; passwordToken: string };

export function createEmailVerification({ config, queries, oneTimeSecrets, mail, mailLimits, claimAddress }: {
  config: Config; queries: Queries; oneTimeSecrets: OneTimeSecrets; mail: Mail; mailLimits: MailLimits; claimAddress: ClaimAddress;
}) {
  /** Issues a link and a code and queues the mail, inside the caller's transaction. */
  async function queueVerificationMail(q: Queries, account: AccountToVerify): Promise<void> {
    const { email } = account;
    const token = await oneTimeSecrets.issueLink(q, { purpose: 'verify_email', email, accountId: account.id, ttlSeconds: oneTimeLifetimes.verifyEmailLink });
    const code = await oneTimeSecrets.issueCode(q, { purpose: 'verify_email', email, accountId: account.id, ttlSeconds: oneTimeLifetimes.verifyEmailCode });
    await mail.enqueue(q, {
      to: account.email,
      subject: 'mail.verifyEmail.subject',
      template: 'verify-email',
      data: {
        // No name: it was typed by whoever registered, and this address is not proved yet.
        code,
        link: `${config.issuer}/verify-email?token=${token}`,
        codeMinutes: oneTimeLifetimes.verifyEmailCode / 60,
        linkHours: oneTimeLifetimes.verifyEmailLink / 3600,
      },
    });
  }

  /** Uses the secret and verifies the address, as the registrant or as the owner claiming it. */
  async function verify(row: OneTimeSecretRow, registrantAccountId: string | null | undefined): Promise<Verified> {
    return queries.transaction(async (q) => {
      await oneTimeSecrets.consume(q, row);
      const accountId = row.account_id;
      const account = accountId ? await q.accounts.maybeFindAccountById(accountId) : undefined;
      if (!account || account.email !== row.email) throw new RequestError('link_invalid', 400, 'This account no longer uses that address.', { messageKey: 'messages.linkAddressGone' });
      if (accountId === registrantAccountId || !(await claimAddress(q, account.id))) {
        await q.accounts.markEmailVerified(account.id, row.email);
        if (!account.email_verified) await recordAudit(q, { type: 'email.verified', subjectId: account.id, details: { how: 'registrant' } });
        return { accountId: account.id, claimed: false };
      }
      const passwordToken = await oneTimeSecrets.issueLink(q, {
        purpose: 'reset_password', email: account.email, accountId: account.id, ttlSeconds: oneTimeLifetimes.resetPasswordLink,
      });
      return { accountId: account.id, claimed: true, passwordToken };
    });
  }

  return {
    queueVerificationMail,

    /** A fresh link and code; `explicit` (the person asked) reports the cooldown, otherwise it is skipped quietly. */
    async sendVerificationMail(account: AccountToVerify, { ip, explicit }: { ip: string; explicit: boolean }): Promise<void> {
      if (explicit) await mailLimits.reserveSend('verify_email', account.email, ip);
      else if (!(await mailLimits.maySend('verify_email', account.email, ip))) return;
      await queries.transaction((q) => queueVerificationMail(q, account));
    },

    /**
     * A new link and code for the account a pending sign-in is about. The cooldown counts the
     * same whether or not there is such an account, so the answer never tells.
     */
    resendVerificationMail: ({ accountId, email, ip }: { accountId: string | null; email: string; ip: string }) => answerNoSoonerThan(STEADY_ANSWER_MS, async () => {
      await mailLimits.reserveSend('verify_email', email, ip);
      const account = accountId ? await queries.accounts.maybeFindAccountById(accountId) : undefined;
      if (!account || account.email_verified || account.disabled || account.email !== email) return;
      await queries.transaction((q) => queueVerificationMail(q, account));
    }),

    /**
     * Verifies with the mailed code, entered in a sign-in that registered `registrantAccountId`
     * (null when that browser's registration met a taken address).
     */
    async verifyWithCode({ email, code, ip, registrantAccountId }: { email: string; code: unknown; ip: string; registrantAccountId: string | null }): Promise<Verified> {
      return verify(await oneTimeSecrets.checkCode({ purpose: 'verify_email', email, code, ip }), registrantAccountId);
    },

    /** Verifies with the mailed link, opened in a browser whose pending sign-in registered `registrantAccountId`, if any. */
    async verifyWithLink(token: unknown, registrantAccountId: string | undefined): Promise<Verified> {
      return verify(await oneTimeSecrets.checkLink({ purpose: 'verify_email', token }), registrantAccountId);
    },

    /** The account a live link is for, without using it: the link page asks for a click first (mail scanners open links). */
    async checkLink(token: unknown): Promise<string | null> {
      return (await oneTimeSecrets.checkLink({ purpose: 'verify_email', token })).account_id;
    },
  };
}

export type EmailVerification = ReturnType<typeof createEmailVerification>;
