// Sign-in with a code sent by mail instead of a password: 6 digits, 10 minutes, 5 attempts,
// single use. For an address with no account (and registration open) the code creates one,
// its address verified by the code itself. Every address gets the same answer.
import type { Config } from '../../config/env.ts';
import type { Mail } from '../../mail/index.ts';
import { greetingName } from '../../mail/greeting.ts';
import type { Queries } from '../../queries/index.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import { accountDisabled, type Accounts } from '../accounts.ts';
import type { ClaimAddress } from '../address-claim.ts';
import { normaliseEmail } from '../email-address.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { RequestError } from '../errors.ts';
import type { MailLimits } from '../mail-limits.ts';
import { oneTimeLifetimes, type OneTimeSecrets } from '../one-time-secrets.ts';
import type { SignupSource } from '../signup-source.ts';
import { answerNoSoonerThan, STEADY_ANSWER_MS } from '../steady-timing.ts';

export function createEmailCodeSignIn({ config, queries, accounts, oneTimeSecrets, mail, mailLimits, claimAddress }: {
  config: Config; queries: Queries; accounts: Accounts; oneTimeSecrets: OneTimeSecrets; mail: Mail; mailLimits: MailLimits; claimAddress: ClaimAddress;
}) {
  return {
    /** Mails a code when the address may sign in or sign up; throws mail_cooldown while it must wait. */
    sendCode: ({ email: input, ip }: { email: unknown; ip: string }) => answerNoSoonerThan(STEADY_ANSWER_MS, async (): Promise<{ email: string }> => {
      const email = normaliseEmail(input);
      await mailLimits.reserveSend('sign_in', email, ip);
      const account = await queries.accounts.maybeFindAccountByEmail(email);
      const newcomer = !account && config.registration === 'open';
      if ((account && !account.disabled) || newcomer) {
        await queries.transaction(async (q) => {
          const code = await oneTimeSecrets.issueCode(q, {
            purpose: 'sign_in', email, accountId: account?.id ?? null, ttlSeconds: oneTimeLifetimes.signInCode,
          });
          await mail.enqueue(q, {
            to: account?.email ?? email,
            subject: 'mail.signInCode.subject',
            template: 'sign-in-code',
            data: { name: account ? greetingName(account) : null, code, minutes: oneTimeLifetimes.signInCode / 60, newcomer },
          });
        });
      }
      return { email };
    }),

    /** The account the right code signs in to, created (verified) for a newcomer. */
    async signInWithCode({ email, code, ip, source }: { email: string; code: unknown; ip: string; source: SignupSource }): Promise<AccountRow> {
      let row;
      try {
        row = await oneTimeSecrets.checkCode({ purpose: 'sign_in', email, code, ip });
      } catch (error) {
        if (error instanceof RequestError && error.status < 500 && error.status !== 429) {
          const account = await queries.accounts.maybeFindAccountByEmail(email);
          await recordAudit(queries, { type: 'sign_in.failed', subjectId: account?.id, details: { method: 'email_code', reason: error.code, ...(account ? {} : { email }) } });
        }
        throw error;
      }
      const newAccount = await accounts.prepareAccount({ email, emailVerified: true, signupMethod: 'email_code', signupSource: source });
      const account = await queries.transaction(async (q) => {
        await oneTimeSecrets.consume(q, row);
        const existing = await q.accounts.maybeFindAccountByEmail(email);
        if (existing?.disabled) throw accountDisabled();
        if (existing?.email_verified) return existing;
        if (existing) {
          // Someone registered this address and never proved it; its owner now has. (An account an
          // administrator made is theirs already: the code proves the address.)
          if (!(await claimAddress(q, existing.id))) {
            await q.accounts.markEmailVerified(existing.id, existing.email);
            await recordAudit(q, { type: 'email.verified', subjectId: existing.id, details: { how: 'sign_in_code' } });
          }
          return (await q.accounts.maybeFindAccountById(existing.id))!;
        }
        if (config.registration !== 'open') throw new RequestError('registration_closed', 403, 'New accounts cannot be created here.', { messageKey: 'messages.registrationClosed' });
        const created = await q.accounts.insertAccount(newAccount);
        // Only when the address was registered in the same instant: nothing was written, try again.
        if (!created) throw new RequestError('account_race', 409, 'The account could not be created just now. Ask for a new code and try again.');
        await recordAudit(q, { type: 'account.created', subjectId: created.id, clientId: created.signup_client_id, details: { method: 'email_code' } });
        return created;
      }).catch(async (error: unknown) => {
        if (error instanceof RequestError && error.code === 'account_disabled') {
          await recordAudit(queries, { type: 'sign_in.failed', subjectId: row.account_id, details: { method: 'email_code', reason: 'account_disabled' } });
        }
        throw error;
      });
      return account;
    },
  };
}

export type EmailCodeSignIn = ReturnType<typeof createEmailCodeSignIn>;
