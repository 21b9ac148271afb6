// The mail that tells an account's owner about a change to what protects it, with a "this
// wasn't me" link (single use, 7 days). The link undoes what can be undone without lowering
// what sign-in asked for before the change (a factor added is removed, unless it replaced the
// only one the account had; recovery codes someone may hold are cancelled), ends every session
// and token, drops the password, and leads the owner to choose a new one. Factors the owner had
// before stay and are still asked for: the mailbox alone never gets past them.
import type { Config } from '../../config/env.ts';
import type { Mail } from '../../mail/index.ts';
import { greetingName } from '../../mail/greeting.ts';
import { PRODUCT_NAME } from '../../mail/templates.ts';
import type { Queries } from '../../queries/index.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import type { OneTimeSecretRow } from '../../queries/one-time-secrets.ts';
import { RequestError } from '../errors.ts';
import { oneTimeLifetimes, type OneTimeSecrets } from '../one-time-secrets.ts';

/** The change a notice reports, as much as undoing it needs. */
export type SecurityChange =
  | { kind: 'factor_added'; factor: 'totp' | 'webauthn'; factorId: string; hadFactors: boolean; replacedTotp: boolean }
  | { kind: 'factor_removed' }
  | { kind: 'recovery_codes_made' }
  | { kind: 'recovery_code_used' };

type Person = Pick<AccountRow, 'id' | 'email' | 'name' | 'email_verified'>;

const factorLabel = (change: Extract<SecurityChange, { kind: 'factor_added' }>) =>
  (change.factor === 'totp' ? 'the new authenticator app' : 'the new security key or passkey');

/** Whether removing the added factor keeps at least what sign-in asked for before it was added. */
const removable = (change: Extract<SecurityChange, { kind: 'factor_added' }>, otherFactors: boolean) => !change.hadFactors || otherFactors;

/** What the link does besides signing out and the new password: before (`will`) and after (`did`). */
function outcome(change: SecurityChange, otherFactors: boolean): { will: string; did: string } {
  switch (change.kind) {
    case 'factor_added': {
      const label = change.factor === 'totp' ? 'authenticator app' : 'security key or passkey';
      return removable(change, otherFactors)
        ? { will: `It removes the new ${label}.`, did: `The new ${label} is removed.` }
        : {
          will: `It cannot remove the new ${label}: it replaced your only other factor, and removing it would leave your account less protected than before.`,
          did: `The new ${label} stays: it replaced your only other factor. Sign in with a recovery code, then set up your own.`,
        };
    }
    case 'recovery_codes_made':
      return { will: 'It cancels the new recovery codes.', did: 'The new recovery codes no longer work.' };
    case 'recovery_code_used':
      return { will: 'It cancels your remaining recovery codes.', did: 'Your remaining recovery codes no longer work: make new ones once you are signed in.' };
    case 'factor_removed':
      return { will: 'It cannot bring back what was removed.', did: 'What was removed does not come back: add it again once you are signed in.' };
  }
}

/** Whether the account has a second factor other than `factorId`. */
async function hasOtherFactors(q: Queries, accountId: string, factorId: string): Promise<boolean> {
  const [totpFactor, passkeys] = await Promise.all([q.totpFactors.maybeFindConfirmedTotpFactor(accountId), q.webauthn.listWebauthnCredentials(accountId)]);
  return Boolean(totpFactor && totpFactor.id !== factorId) || passkeys.some((passkey) => passkey.id !== factorId);
}

export function createSecurityNotices({ config, queries, mail, oneTimeSecrets }: {
  config: Config; queries: Queries; mail: Mail; oneTimeSecrets: OneTimeSecrets;
}) {
  const checkLink = (token: unknown) => oneTimeSecrets.checkLink({ purpose: 'undo_security_change', token });

  /** The link's change, and whether the account has factors besides the one it added (read through `q`). */
  async function linkState(q: Queries, row: OneTimeSecretRow) {
    const account = row.account_id ? await q.accounts.maybeFindAccountById(row.account_id) : undefined;
    if (!account || account.disabled || account.email !== row.email || !row.details) {
      throw new RequestError('link_invalid', 400, 'This link has expired or was already used.');
    }
    const change = row.details as SecurityChange;
    const otherFactors = await hasOtherFactors(q, account.id, change.kind === 'factor_added' ? change.factorId : '');
    return { row, account, change, otherFactors };
  }

  return {
    /** Queues the notice about `what` changed, with its undo link, inside the caller's transaction. */
    async notify(q: Queries, account: Person, what: string, change: SecurityChange): Promise<void> {
      const token = await oneTimeSecrets.issueLink(q, {
        purpose: 'undo_security_change', email: account.email, accountId: account.id,
        ttlSeconds: oneTimeLifetimes.undoSecurityChangeLink, details: change,
      });
      // Whether the factor can go is decided again when the link is used.
      const otherFactors = await hasOtherFactors(q, account.id, change.kind === 'factor_added' ? change.factorId : '');
      await mail.enqueue(q, {
        to: account.email,
        subject: `Security change on your ${PRODUCT_NAME} account`,
        template: 'security-notice',
        data: {
          name: greetingName(account), what, undoLink: `${config.issuer}/security/undo?token=${token}`,
          undoes: outcome(change, otherFactors).will, days: oneTimeLifetimes.undoSecurityChangeLink / 86_400,
        },
      });
    },

    /** What using the link would do, for the page that asks for the click (nothing changes). */
    async describeUndo(token: unknown): Promise<{ email: string; undoes: string }> {
      const { account, change, otherFactors } = await linkState(queries, await checkLink(token));
      return { email: account.email, undoes: outcome(change, otherFactors).will };
    },

    /**
     * Undoes the change as far as it safely can, signs out everywhere and drops the password;
     * returns what was done and a token for choosing the new password.
     */
    async undo(token: unknown): Promise<{ done: string; passwordToken: string }> {
      const link = await checkLink(token);
      return queries.transaction(async (q) => {
        await q.accounts.lockAccount(link.account_id!);
        const { row, account, change, otherFactors } = await linkState(q, link);
        await oneTimeSecrets.consume(q, row, { alone: true });
        if (change.kind === 'factor_added' && removable(change, otherFactors)) {
          if (change.factor === 'totp') {
            const current = await q.totpFactors.maybeFindConfirmedTotpFactor(account.id);
            if (current?.id === change.factorId) await q.totpFactors.deleteTotpFactors(account.id);
          } else {
            await q.webauthn.deleteWebauthnCredential(account.id, change.factorId);
          }
          // Recovery codes came with a first factor, and whoever added it has seen them.
          if (!change.hadFactors || !(await q.accounts.accountHasSecondFactor(account.id))) await q.recoveryCodes.deleteRecoveryCodes(account.id);
        }
        if (change.kind === 'recovery_codes_made' || change.kind === 'recovery_code_used') await q.recoveryCodes.deleteRecoveryCodes(account.id);
        await q.oidcPayloads.deletePayloadsByAccountId(account.id);
        await q.accounts.dropPassword(account.id);
        const passwordToken = await oneTimeSecrets.issueLink(q, {
          purpose: 'reset_password', email: account.email, accountId: account.id, ttlSeconds: oneTimeLifetimes.resetPasswordLink,
        });
        return { done: outcome(change, otherFactors).did, passwordToken };
      });
    },
  };
}

export type SecurityNotices = ReturnType<typeof createSecurityNotices>;
