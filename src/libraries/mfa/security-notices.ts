// The mail that tells an account's owner about a change to what protects it, with a "this
// wasn't me" link (single use, 7 days). The link goes back to the factors the account had just
// before that change: every factor added since (by it or by later changes, which whoever made
// it may have made too) is removed, with the recovery codes that came with a first one, unless
// that would leave the account less protected than it was then. It ends every session and
// token, drops the password and leads the owner to choose a new one. Removing a factor also
// takes the current password, so that the mailbox alone never takes off a factor its owner set up.
import type { Config } from '../../config/env.ts';
import type { Mail } from '../../mail/index.ts';
import { greetingName } from '../../mail/greeting.ts';
import type { Queries } from '../../queries/index.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import type { OneTimeSecretRow } from '../../queries/one-time-secrets.ts';
import type { Accounts } from '../accounts.ts';
import { RequestError } from '../errors.ts';
import { phrase, type Phrase } from '../i18n/phrase.ts';
import { oneTimeLifetimes, type OneTimeSecrets } from '../one-time-secrets.ts';
import type { Throttle } from '../throttle.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { signOut } from '../sign-out.ts';

export type SecurityChangeKind = 'factor_added' | 'factor_removed' | 'recovery_codes_made' | 'recovery_code_used';

/** What a notice's link keeps: what changed, and the factors the account had just before. */
interface NoticeDetails {
  kind: SecurityChangeKind;
  factorsBefore: string[];
}

type Person = Pick<AccountRow, 'id' | 'email' | 'name' | 'email_verified' | 'language'>;

interface CurrentFactors {
  totpId: string | undefined;
  passkeyIds: string[];
}

/** What undoing would do, worked out from the live notices and the factors as they are now. */
interface UndoPlan {
  since: Date;
  /** The authenticator app, if it was set up since. */
  addedTotpId: string | undefined;
  addedPasskeyIds: string[];
  /** The factors added since can go without leaving fewer than the account had then. */
  removeAdded: boolean;
  dropRecoveryCodes: boolean;
  somethingRemoved: boolean;
}

const HOUR = 60 * 60;
/** Wrong current passwords on the undo page, per account. */
export const undoPasswordRule = { limit: 5, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR };

/** The ids of the account's confirmed second factors (its authenticator app, its keys and passkeys). */
export async function currentFactors(q: Queries, accountId: string): Promise<CurrentFactors> {
  const [totp, passkeys] = await Promise.all([q.totpFactors.maybeFindConfirmedTotpFactor(accountId), q.webauthn.listWebauthnCredentials(accountId)]);
  return { totpId: totp?.id, passkeyIds: passkeys.map((passkey) => passkey.id) };
}

export const factorIds = (factors: CurrentFactors) => [...(factors.totpId ? [factors.totpId] : []), ...factors.passkeyIds];

/** What undoing the change of `details`, made at `since`, would do with the account's factors as they are now. */
export function planUndo(details: NoticeDetails, since: Date, factors: CurrentFactors): UndoPlan {
  const before = new Set(details.factorsBefore);
  const addedTotpId = factors.totpId !== undefined && !before.has(factors.totpId) ? factors.totpId : undefined;
  const addedPasskeyIds = factors.passkeyIds.filter((id) => !before.has(id));
  const stillThere = factorIds(factors).filter((id) => before.has(id)).length;
  const removeAdded = (addedTotpId !== undefined || addedPasskeyIds.length > 0) && (before.size === 0 || stillThere > 0);
  return {
    since, addedTotpId, addedPasskeyIds, removeAdded,
    dropRecoveryCodes: (removeAdded && before.size === 0) || details.kind === 'recovery_codes_made' || details.kind === 'recovery_code_used',
    somethingRemoved: details.kind === 'factor_removed',
  };
}

/** The plan in words (phrases, worded in the language of the page or mail), before (`will`) and after (`did`) it is carried out. */
function describe(plan: UndoPlan): { will: Phrase[]; did: Phrase[] } {
  const passkeys = plan.addedPasskeyIds.length;
  const added: Phrase[] = [
    ...(plan.addedTotpId ? [phrase('undo.theApp')] : []),
    ...(passkeys > 0 ? [phrase('undo.thePasskeys', { count: passkeys })] : []),
  ];
  const values = { added, since: plan.since };
  const will: Phrase[] = [];
  const did: Phrase[] = [];
  if (added.length && plan.removeAdded) {
    will.push(phrase('undo.willRemove', values));
    did.push(phrase('undo.removed', values));
  } else if (added.length) {
    will.push(phrase('undo.cannotRemove', values));
    did.push(phrase('undo.kept', values));
  }
  if (plan.dropRecoveryCodes) {
    will.push(phrase('undo.willCancelCodes'));
    did.push(phrase('undo.codesCancelled'));
  }
  if (plan.somethingRemoved) {
    will.push(phrase('undo.cannotBringBack'));
    did.push(phrase('undo.notBroughtBack'));
  }
  return { will, did };
}

/** Removes what the plan says was added since (when it may), and the recovery codes it cancels. */
export async function applyFactorUndo(q: Queries, accountId: string, plan: UndoPlan): Promise<void> {
  if (plan.removeAdded) {
    if (plan.addedTotpId) await q.totpFactors.deleteTotpFactors(accountId);
    for (const id of plan.addedPasskeyIds) await q.webauthn.deleteWebauthnCredential(accountId, id);
  }
  if (plan.dropRecoveryCodes) await q.recoveryCodes.deleteRecoveryCodes(accountId);
}

export function createSecurityNotices({ config, queries, mail, oneTimeSecrets, accounts, throttle }: {
  config: Config; queries: Queries; mail: Mail; oneTimeSecrets: OneTimeSecrets; accounts: Pick<Accounts, 'authenticateWithPassword'>; throttle: Throttle;
}) {
  /** The link's account and what undoing would do to it now. */
  async function stateOf(q: Queries, link: OneTimeSecretRow) {
    const account = link.account_id ? await q.accounts.maybeFindAccountById(link.account_id) : undefined;
    if (!account || account.disabled || account.email !== link.email || !link.details) {
      throw new RequestError('link_invalid', 400, 'This link has expired or was already used.', { messageKey: 'messages.linkUsed' });
    }
    const plan = planUndo(link.details as unknown as NoticeDetails, link.created_at, await currentFactors(q, account.id));
    return { account, plan, needsPassword: plan.removeAdded && account.password_hash !== null };
  }

  const checkLink = (token: unknown) => oneTimeSecrets.checkLink({ purpose: 'undo_security_change', token });

  return {
    /** Queues the notice about `what` changed, with its link, inside the caller's transaction. */
    async notify(q: Queries, account: Person, what: Phrase, change: NoticeDetails): Promise<void> {
      const token = await oneTimeSecrets.issueLink(q, {
        purpose: 'undo_security_change', email: account.email, accountId: account.id,
        ttlSeconds: oneTimeLifetimes.undoSecurityChangeLink, details: { ...change },
      });
      const { will } = describe(planUndo(change, new Date(), await currentFactors(q, account.id)));
      await mail.enqueue(q, {
        to: account.email,
        subject: 'mail.securityNotice.subject',
        template: 'security-notice',
        accountLanguage: account.language,
        data: { name: greetingName(account), what, undoLink: `${config.issuer}/security/undo?token=${token}`, undoes: will, days: oneTimeLifetimes.undoSecurityChangeLink / 86_400 },
      });
    },

    /** What using the link would do, for the page that asks for the click (nothing changes). */
    async describeUndo(token: unknown): Promise<{ email: string; undoes: Phrase[]; needsPassword: boolean }> {
      const { account, plan, needsPassword } = await stateOf(queries, await checkLink(token));
      return { email: account.email, undoes: describe(plan).will, needsPassword };
    },

    /**
     * Carries the plan out, signs out everywhere and drops the password; returns what was done
     * and a token for choosing the new password. Removing a factor takes the current password.
     */
    async undo(token: unknown, password: unknown): Promise<{ done: Phrase[]; passwordToken: string }> {
      const link = await checkLink(token);
      const before = await stateOf(queries, link);
      if (before.needsPassword) {
        const subject = { key: `undo-password:account:${before.account.id}`, rule: undoPasswordRule };
        const proved = await throttle.guess([subject], async () => (typeof password === 'string' && password.length > 0
          && (await accounts.authenticateWithPassword(before.account.email, password))?.id === before.account.id) || undefined, { reset: [subject] });
        if (!proved) throw new RequestError('password_wrong', 400, 'That is not the current password of this account.');
      }
      return queries.transaction(async (q) => {
        await q.accounts.lockAccount(before.account.id);
        const { account, plan } = await stateOf(q, link); // as it is now, with the account held
        if (plan.removeAdded && !before.plan.removeAdded) throw new RequestError('link_changed', 409, 'The account changed meanwhile. Open the link again.');
        await oneTimeSecrets.consume(q, link, { alone: true }); // the other notices keep their own links
        await applyFactorUndo(q, account.id, plan);
        await signOut(q, account.id);
        await q.consents.deleteConsents(account.id); // applications someone else may have allowed ask again
        await q.accounts.dropPassword(account.id);
        await recordAudit(q, {
          type: 'security.undone', subjectId: account.id,
          details: { removed_factors: plan.removeAdded ? [...(plan.addedTotpId ? [plan.addedTotpId] : []), ...plan.addedPasskeyIds] : [], dropped_recovery_codes: plan.dropRecoveryCodes },
        });
        const passwordToken = await oneTimeSecrets.issueLink(q, {
          purpose: 'reset_password', email: account.email, accountId: account.id, ttlSeconds: oneTimeLifetimes.resetPasswordLink,
        });
        return { done: describe(plan).did, passwordToken };
      });
    },
  };
}

export type SecurityNotices = ReturnType<typeof createSecurityNotices>;
