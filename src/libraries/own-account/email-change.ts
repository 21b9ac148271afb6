// A person changing their own address. A code goes to the new address (a one-time code, as
// registration proves one) and until it is entered nothing changes. An address another account
// has gets the same answer in the same time, no code works for it, and its owner is mailed
// instead. Once the code is entered the address changes, what was mailed to the old one stops
// working, and the old address is mailed a link (single use, 7 days) that puts it back, signs out
// everywhere and drops the password, which its owner then chooses again.
import type { Config } from '../../config/env.ts';
import { greetingName } from '../../mail/greeting.ts';
import type { Mail } from '../../mail/index.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import type { Queries } from '../../queries/index.ts';
import type { OneTimePurpose } from '../../queries/one-time-secrets.ts';
import { accountDisabled } from '../accounts.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { normaliseEmail } from '../email-address.ts';
import { assertThat, RequestError } from '../errors.ts';
import type { MailLimits } from '../mail-limits.ts';
import { oneTimeLifetimes, type OneTimeSecrets } from '../one-time-secrets.ts';
import { signOut } from '../sign-out.ts';
import { applyFactorUndo, currentFactors, planUndo } from '../mfa/security-notices.ts';
import { answerNoSoonerThan, STEADY_ANSWER_MS } from '../steady-timing.ts';
import type { Throttle } from '../throttle.ts';

const HOUR = 60 * 60;
/**
 * Changes asked for by one account (each a mail, to whatever address): the per-address cooldown
 * cannot stop one account from mailing many addresses, this does.
 */
export const changeRequestRule = { limit: 10, blockSeconds: 15 * 60, maxBlockSeconds: 24 * HOUR, quietSeconds: 24 * HOUR };

/**
 * The links that outlive an address change: each "this wasn't me" link still undoes what it was
 * sent about once its address is the account's again, so a second change cannot silence the first.
 */
const UNDO_PURPOSES: OneTimePurpose[] = ['undo_email_change', 'undo_security_change'];

const wrongCode = () => new RequestError('code_wrong', 400, 'That code is not right, or it has expired. Check the newest mail, or ask for a new code.');
const linkGone = () => new RequestError('link_invalid', 400, 'This link has expired or was already used.', { messageKey: 'messages.linkUsed' });

export interface UndoOutcome {
  /** The account's address now. */
  email: string;
  /** False when another account took the old address meanwhile: the account keeps the new one. */
  restored: boolean;
  /** A reset link's token for choosing the new password; none for a disabled account. */
  passwordToken: string | undefined;
}

export function createOwnEmailChange({ config, queries, oneTimeSecrets, mail, mailLimits, throttle }: {
  config: Config; queries: Queries; oneTimeSecrets: OneTimeSecrets; mail: Mail; mailLimits: MailLimits; throttle: Throttle;
}) {
  /** The live undo link and the account it is for, or link_invalid. */
  async function undoLink(token: unknown) {
    const link = await oneTimeSecrets.checkLink({ purpose: 'undo_email_change', token });
    const account = link.account_id ? await queries.accounts.maybeFindAccountById(link.account_id) : undefined;
    if (!account) throw linkGone();
    return { link, account };
  }

  return {
    /**
     * Mails a code to the new address, or, when another account has it, a warning to that
     * account's owner: same answer, same time, same cooldown either way. `again`: a resend
     * (audited as one).
     */
    request: (account: AccountRow, { email: typed, ip, again = false }: { email: unknown; ip: string; again?: boolean }) =>
      answerNoSoonerThan(STEADY_ANSWER_MS, async (): Promise<{ email: string }> => {
        const email = normaliseEmail(typed);
        assertThat(email !== account.email.toLowerCase(), 'email_same', 'That is already your address.', 400, { messageKey: 'account.email.same' });
        await throttle.countAttempt([{ key: `email-change:account:${account.id}`, rule: changeRequestRule }]);
        await mailLimits.reserveSend('change_email', email, ip);
        const owner = await queries.accounts.maybeFindAccountByEmail(email);
        await queries.transaction(async (q) => {
          await recordAudit(q, { type: 'email.change_requested', subjectId: account.id, details: again ? { again: true } : {} }); // a resend too: it can take any address
          if (owner) {
            await mail.enqueue(q, {
              to: owner.email, subject: 'mail.emailChange.takenSubject', template: 'email-change-taken', accountLanguage: owner.language,
              data: { name: greetingName(owner), signInLink: `${config.issuer}/account`, forgotLink: `${config.issuer}/password/forgot` },
            });
            return;
          }
          const code = await oneTimeSecrets.issueCode(q, { purpose: 'change_email', email, accountId: account.id, ttlSeconds: oneTimeLifetimes.verifyEmailCode });
          // No name: the address is not proved to be the person's yet.
          await mail.enqueue(q, {
            to: email, subject: 'mail.emailChange.codeSubject', template: 'email-change-code', accountLanguage: account.language,
            data: { code, minutes: oneTimeLifetimes.verifyEmailCode / 60 },
          });
        });
        return { email };
      }),

    /** Seconds until another code may be sent to `email` (counted alike whether or not it has an account). */
    secondsUntilResend: (email: string) => mailLimits.secondsUntilNextSend('change_email', email),

    /**
     * Makes the proven address the account's, in one transaction with its audit event and the
     * notice (with the undo link) to the old address. Another account having taken the address
     * since the code was sent refuses it, and nothing changes.
     */
    async confirm(account: AccountRow, { email: typed, code, ip, signedInAt }: { email: unknown; code: unknown; ip: string; signedInAt: number }): Promise<{ email: string }> {
      const email = normaliseEmail(typed);
      const row = await oneTimeSecrets.checkCode({ purpose: 'change_email', email, code, ip });
      if (row.account_id !== account.id) throw wrongCode(); // another account's change to the same address
      return queries.transaction(async (q) => {
        await q.accounts.lockAccount(account.id);
        const before = await q.accounts.maybeFindAccountById(account.id);
        if (!before || before.disabled) throw accountDisabled();
        await oneTimeSecrets.consume(q, row);
        if (!(await q.accounts.changeEmail(account.id, email))) {
          throw new RequestError('email_taken', 409, 'Another account has this address now, so it cannot be yours. Nothing was changed.', { messageKey: 'account.email.takenMeanwhile' });
        }
        await q.oneTimeSecrets.deleteOneTimeSecretsOfAccount(account.id, { purposes: UNDO_PURPOSES });
        await recordAudit(q, { type: 'email.changed', subjectId: account.id, details: { by: 'self' } });
        // The undo goes back to the factors the account had when the session that made the change
        // signed in: whoever made it may have added some first, as well as after.
        const token = await oneTimeSecrets.issueLink(q, {
          purpose: 'undo_email_change', email: before.email, accountId: account.id, ttlSeconds: oneTimeLifetimes.undoSecurityChangeLink,
          details: { factorsBefore: await factorsAddedBefore(q, account.id, new Date(signedInAt * 1000)) },
        });
        await mail.enqueue(q, {
          to: before.email, subject: 'mail.emailChange.noticeSubject', template: 'email-change-notice', accountLanguage: before.language,
          data: {
            name: greetingName(before), oldEmail: before.email, newEmail: email,
            undoLink: `${config.issuer}/account/email/undo?token=${token}`, days: oneTimeLifetimes.undoSecurityChangeLink / 86_400,
          },
        });
        return { email };
      });
    },

    /** What the undo link would do, for the page that asks for the click (nothing changes). */
    async describeUndo(token: unknown): Promise<{ oldEmail: string; currentEmail: string; restorable: boolean }> {
      const { link, account } = await undoLink(token);
      const holder = await queries.accounts.maybeFindAccountByEmail(link.email);
      return { oldEmail: link.email, currentEmail: account.email, restorable: !holder || holder.id === account.id };
    },

    /**
     * Puts the old address back (unless another account has it now: then the account keeps the
     * one it has, and the rest still happens), ends every session and token, drops the password
     * and returns a token for choosing a new one. What was issued since the change goes with it,
     * to whichever address it went; undo links of earlier changes stay.
     */
    async undo(token: unknown): Promise<UndoOutcome> {
      const { link } = await undoLink(token);
      return queries.transaction(async (q) => {
        await q.accounts.lockAccount(link.account_id!);
        const account = await q.accounts.maybeFindAccountById(link.account_id!); // as it is now, held
        if (!account) throw linkGone();
        await oneTimeSecrets.consume(q, link, { alone: true });
        const restored = account.email === link.email || await q.accounts.changeEmail(account.id, link.email);
        await q.oneTimeSecrets.deleteOneTimeSecretsOfAccount(account.id, { purposes: UNDO_PURPOSES, before: link.created_at });
        // Whoever held the account after the change may have added factors and allowed applications: they go.
        const factorsBefore = (link.details as { factorsBefore?: string[] } | null)?.factorsBefore ?? [];
        const plan = planUndo({ kind: 'factor_added', factorsBefore }, link.created_at, await currentFactors(q, account.id));
        await applyFactorUndo(q, account.id, plan);
        await signOut(q, account.id);
        await q.consents.deleteConsents(account.id);
        await q.accounts.dropPassword(account.id);
        await recordAudit(q, {
          type: 'email.change_undone', subjectId: account.id,
          details: { restored, removed_factors: plan.removeAdded ? [...(plan.addedTotpId ? [plan.addedTotpId] : []), ...plan.addedPasskeyIds] : [] },
        });
        const email = restored ? link.email : account.email;
        // The address the change went to hears of it (its owner may be the rightful one, who lost the old address).
        if (account.email !== link.email) {
          await mail.enqueue(q, {
            to: account.email, subject: 'mail.emailChange.undoneSubject', template: 'email-change-undone', accountLanguage: account.language,
            data: { name: greetingName(account), oldEmail: link.email, newEmail: account.email },
          });
        }
        // A password is chosen only for an account back on the address that proved itself by this link.
        const passwordToken = account.disabled || !restored ? undefined
          : await oneTimeSecrets.issueLink(q, { purpose: 'reset_password', email, accountId: account.id, ttlSeconds: oneTimeLifetimes.resetPasswordLink });
        return { email, restored, passwordToken };
      });
    },
  };
}

/** The ids of the account's second factors set up before `cutoff`. */
async function factorsAddedBefore(q: Queries, accountId: string, cutoff: Date): Promise<string[]> {
  const [totp, passkeys] = await Promise.all([q.totpFactors.maybeFindConfirmedTotpFactor(accountId), q.webauthn.listWebauthnCredentials(accountId)]);
  const before = (at: Date) => at.getTime() < cutoff.getTime();
  return [...(totp && before(totp.confirmed_at ?? totp.created_at) ? [totp.id] : []), ...passkeys.filter((passkey) => before(passkey.created_at)).map((passkey) => passkey.id)];
}

export type OwnEmailChange = ReturnType<typeof createOwnEmailChange>;
