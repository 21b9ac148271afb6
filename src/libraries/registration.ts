// Self-service registration. A new address gets an unverified account and a verification
// mail; an address that already has an account gets the same answer, in the same time, and
// its owner a mail saying so. The account and its mail are written together or not at all.
import type { Config } from '../config/env.ts';
import type { Mail } from '../mail/index.ts';
import type { Queries } from '../queries/index.ts';
import type { Accounts } from './accounts.ts';
import type { EmailVerification } from './email-verification.ts';
import { assertThat } from './errors.ts';
import { recordAudit } from './audit/audit-log.ts';
import type { MailLimits } from './mail-limits.ts';
import type { SignupSource } from './signup-source.ts';
import { answerNoSoonerThan, STEADY_ANSWER_MS } from './steady-timing.ts';
import { ipBucket, type Throttle } from './throttle.ts';

const HOUR = 60 * 60;
/** Sign-ups from one IP (an account made, or a mail to a taken address): generous for an office behind one address, costly for a bot. */
export const registrationRule = { limit: 10, blockSeconds: 60, maxBlockSeconds: 24 * HOUR, quietSeconds: HOUR };

export interface RegistrationInput {
  email: unknown;
  password: unknown;
  name: unknown;
  ip: string;
  source: SignupSource;
}

export function createRegistration({ config, queries, accounts, emailVerification, mail, mailLimits, throttle }: {
  config: Config; queries: Queries; accounts: Accounts; emailVerification: EmailVerification; mail: Mail; mailLimits: MailLimits; throttle: Throttle;
}) {
  return {
    open: config.registration === 'open',

    /**
     * Registers the address. Returns the new account's id, or null when the address already had
     * an account; the caller must not show the difference.
     */
    register: (input: RegistrationInput) => answerNoSoonerThan(STEADY_ANSWER_MS, async (): Promise<{ accountId: string | null; email: string }> => {
      assertThat(config.registration === 'open', 'registration_closed', 'New accounts cannot be created here. Ask your administrator for an account.', 403, { messageKey: 'messages.registrationClosedAsk' });
      assertThat(typeof input.name === 'string' && input.name.trim().length > 0, 'name_required', 'Enter your name.');
      const fields = { email: input.email, password: input.password, name: input.name, signupMethod: 'registration' as const, signupSource: input.source };
      // A refused form changes nothing, counters included: only sign-ups count against the IP.
      accounts.checkNewAccount(fields);
      await throttle.countAttempt([{ key: `register:ip:${ipBucket(input.ip)}`, rule: registrationRule, shared: true }]);
      // Hashes whether or not the address is taken: same work, same time.
      const prepared = await accounts.prepareAccount(fields);
      // The verification mail and the owner's warning count as one kind, so neither shows which was sent.
      const mayMail = await mailLimits.maySend('verify_email', prepared.email, input.ip);

      const accountId = await queries.transaction(async (q) => {
        const account = await q.accounts.insertAccount(prepared);
        if (account) {
          await recordAudit(q, { type: 'account.created', subjectId: account.id, clientId: account.signup_client_id, details: { method: 'registration' } });
          // The first mail is always sent: the cooldown only holds back further ones.
          await emailVerification.queueVerificationMail(q, account);
          return account.id;
        }
        if (mayMail) {
          await mail.enqueue(q, {
            to: prepared.email,
            subject: 'mail.registerAttempt.subject',
            template: 'register-attempt',
            data: { forgotLink: `${config.issuer}/password/forgot` },
          });
        }
        return null;
      });
      return { accountId, email: prepared.email };
    }),
  };
}

export type Registration = ReturnType<typeof createRegistration>;
