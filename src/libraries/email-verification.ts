// Proving an address: a mail with a link (24 h) and a 6-digit code (10 min); either one
// verifies the account's address, once.
import type { Config } from '../config/env.ts';
import type { Mail } from '../mail/index.ts';
import { PRODUCT_NAME } from '../mail/templates.ts';
import type { Queries } from '../queries/index.ts';
import type { MailLimits } from './mail-limits.ts';
import { oneTimeLifetimes, type OneTimeSecrets } from './one-time-secrets.ts';
import { RequestError } from './errors.ts';
import { answerNoSoonerThan, STEADY_ANSWER_MS } from './steady-timing.ts';

interface AccountToVerify {
  id: string;
  email: string;
  name: string | null;
}

export function createEmailVerification({ config, queries, oneTimeSecrets, mail, mailLimits }: {
  config: Config; queries: Queries; oneTimeSecrets: OneTimeSecrets; mail: Mail; mailLimits: MailLimits;
}) {
  /** Issues a link and a code and queues the mail, inside the caller's transaction. */
  async function queueVerificationMail(q: Queries, account: AccountToVerify): Promise<void> {
    const email = account.email.toLowerCase();
    const token = await oneTimeSecrets.issueLink(q, { purpose: 'verify_email', email, accountId: account.id, ttlSeconds: oneTimeLifetimes.verifyEmailLink });
    const code = await oneTimeSecrets.issueCode(q, { purpose: 'verify_email', email, accountId: account.id, ttlSeconds: oneTimeLifetimes.verifyEmailCode });
    await mail.enqueue(q, {
      to: account.email,
      subject: `Confirm your email address for ${PRODUCT_NAME}`,
      template: 'verify-email',
      data: {
        name: account.name,
        code,
        link: `${config.issuer}/verify-email?token=${token}`,
        codeMinutes: oneTimeLifetimes.verifyEmailCode / 60,
        linkHours: oneTimeLifetimes.verifyEmailLink / 3600,
      },
    });
  }

  async function markVerified(q: Queries, accountId: string | null, email: string): Promise<string> {
    if (!accountId || !(await q.accounts.markEmailVerified(accountId, email))) {
      throw new RequestError('link_invalid', 400, 'This account no longer uses that address.');
    }
    return accountId;
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
      if (!account || account.email_verified || account.disabled || account.email.toLowerCase() !== email.toLowerCase()) return;
      await queries.transaction((q) => queueVerificationMail(q, account));
    }),

    /** Verifies with the mailed code; returns the account id whose address is now verified. */
    async verifyWithCode({ email, code, ip }: { email: string; code: unknown; ip: string }): Promise<string> {
      const row = await oneTimeSecrets.checkCode({ purpose: 'verify_email', email: email.toLowerCase(), code, ip });
      return queries.transaction(async (q) => {
        await oneTimeSecrets.consume(q, row);
        return markVerified(q, row.account_id, row.email);
      });
    },

    async verifyWithLink(token: unknown): Promise<string> {
      const row = await oneTimeSecrets.checkLink({ purpose: 'verify_email', token });
      return queries.transaction(async (q) => {
        await oneTimeSecrets.consume(q, row);
        return markVerified(q, row.account_id, row.email);
      });
    },

    /** Whether a link is live, without using it: the link page asks for a click first (mail scanners open links). */
    async checkLink(token: unknown): Promise<void> {
      await oneTimeSecrets.checkLink({ purpose: 'verify_email', token });
    },
  };
}

export type EmailVerification = ReturnType<typeof createEmailVerification>;
