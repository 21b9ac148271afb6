// The second factors of an account, as one whole: what it has, the policy that may demand
// one, checking a factor at sign-in (throttled like passwords), and changing factors with a
// mail to the owner each time (security-notices.ts, with its "this wasn't me" link).
// Recovery codes exist while any factor does.
import type { Config } from '../../config/env.ts';
import type { Queries } from '../../queries/index.ts';
import type { AccountRow, SigningInAccount } from '../../queries/accounts.ts';
import type { WebauthnCredentialRow } from '../../queries/webauthn.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { RequestError } from '../errors.ts';
import { ipBucket, type Throttle, type ThrottleSubject } from '../throttle.ts';
import type { RecoveryCodes } from './recovery-codes.ts';
import { currentFactors, factorIds, type SecurityNotices } from './security-notices.ts';
import type { Totp } from './totp.ts';
import { webauthnAmr, type Webauthn } from './webauthn.ts';
import { phrase, type Phrase } from '../i18n/phrase.ts';

const HOUR = 60 * 60;
export const secondFactorRules = {
  accountAndIp: { limit: 5, blockSeconds: 30, maxBlockSeconds: 15 * 60, quietSeconds: HOUR },
  account: { limit: 10, blockSeconds: 60, maxBlockSeconds: 15 * 60, quietSeconds: HOUR },
};

export interface FactorOverview {
  totp: boolean;
  /** When the authenticator app was set up; null without one. */
  totpSince: Date | null;
  passkeys: WebauthnCredentialRow[];
  recoveryCodesLeft: number;
}

type Person = Pick<AccountRow, 'id' | 'email' | 'name' | 'email_verified' | 'roles' | 'language'>;

export function createSecondFactors({ config, queries, totp, webauthn, recoveryCodes, notices, throttle }: {
  config: Config; queries: Queries; totp: Totp; webauthn: Webauthn; recoveryCodes: RecoveryCodes; notices: SecurityNotices; throttle: Throttle;
}) {

  async function overview(accountId: string): Promise<FactorOverview> {
    const [totpSince, passkeys, recoveryCodesLeft] = await Promise.all([
      totp.enrolledSince(accountId), webauthn.list(accountId), recoveryCodes.remaining(accountId),
    ]);
    return { totp: totpSince !== null, totpSince, passkeys, recoveryCodesLeft };
  }

  /** A second-factor attempt, throttled like a password: counted when wrong, forgiven when right. */
  async function attempt<T>(accountId: string, ip: string, factor: string, check: () => Promise<T | undefined>): Promise<T> {
    const subjects: ThrottleSubject[] = [
      { key: `mfa:account-ip:${accountId}:${ipBucket(ip)}`, rule: secondFactorRules.accountAndIp },
      { key: `mfa:account:${accountId}`, rule: secondFactorRules.account },
    ];
    const failed = (reason: string) => recordAudit(queries, { type: 'second_factor.failed', subjectId: accountId, details: { factor, reason } });
    let result: T | undefined;
    try {
      result = await throttle.guess(subjects, check, { reset: subjects });
    } catch (error) {
      if (error instanceof RequestError && error.status === 400) await failed(error.code);
      throw error; // a refusal while blocked is not an attempt: the throttle's metrics count those
    }
    if (result === undefined) {
      await failed('wrong_code');
      throw new RequestError('second_factor_wrong', 400, 'That code is not right. Try again.');
    }
    await recordAudit(queries, { type: 'second_factor.passed', subjectId: accountId, details: { factor } });
    return result;
  }

  /** Inside a transaction, with the account locked: what factors it has right now (their ids). */
  async function lockFactors(q: Queries, accountId: string): Promise<{ totp: boolean; any: boolean; ids: string[] }> {
    await q.accounts.lockAccount(accountId);
    const factors = await currentFactors(q, accountId);
    const ids = factorIds(factors);
    return { totp: factors.totpId !== undefined, any: ids.length > 0, ids };
  }

  /** A factor was added: an account that had none gets its recovery codes now. */
  async function recoveryCodesIfFirst(q: Queries, accountId: string, hadFactors: boolean): Promise<string[] | null> {
    return hadFactors ? null : recoveryCodes.regenerate(q, accountId);
  }

  async function afterRemoval(q: Queries, account: Person, what: Phrase, factorsBefore: string[]): Promise<void> {
    if (!(await q.accounts.accountHasSecondFactor(account.id))) await recoveryCodes.remove(q, account.id);
    await notices.notify(q, account, what, { kind: 'factor_removed', factorsBefore });
  }

  /** Asked on every sign-in and every authorization of a one-factor session: one query. */
  const hasAny = (accountId: string) => queries.accounts.accountHasSecondFactor(accountId);
  /** Whether MFA_REQUIRED makes this account enrol a factor before it may sign in. */
  const mustHaveSecondFactor = (account: Pick<AccountRow, 'roles'>) =>
    config.mfaRequired === 'all' || (config.mfaRequired === 'admins' && account.roles.includes('admin'));

  return {
    overview,
    hasAny,
    mustHaveSecondFactor,

    /** Whether signing in to this account takes a second factor: it has one, or policy demands one. */
    needsSecondFactor: (account: Pick<SigningInAccount, 'roles' | 'has_second_factor'>): boolean =>
      account.has_second_factor || mustHaveSecondFactor(account),

    /** Checks an authenticator-app code at sign-in; returns the amr it adds. */
    verifyTotp: ({ accountId, code, ip }: { accountId: string; code: unknown; ip: string }) =>
      attempt(accountId, ip, 'totp', async () => {
        const outcome = await totp.verifyCode(accountId, code);
        if (outcome === 'reused') throw new RequestError('totp_reused', 400, 'That code was already used. Wait for your app to show the next one, then enter it.');
        return outcome === 'ok' ? 'otp' : undefined;
      }),

    /** Checks a recovery code at sign-in (using it up, and telling the owner); returns the amr it adds. */
    async verifyRecoveryCode({ account, code, ip }: { account: Person; code: unknown; ip: string }): Promise<string> {
      const amr = await attempt(account.id, ip, 'recovery_code', async () => ((await recoveryCodes.use(account.id, code)) ? 'otp' : undefined));
      const left = await recoveryCodes.remaining(account.id);
      await queries.transaction(async (q) => {
        await recordAudit(q, { type: 'recovery_code.used', subjectId: account.id, details: { left } });
        const factorsBefore = factorIds(await currentFactors(q, account.id));
        await notices.notify(q, account, phrase('notice.recoveryCodeUsed', { count: left }), { kind: 'recovery_code_used', factorsBefore });
      });
      return amr;
    },

    /** Checks a security key or passkey as the second factor of `accountId`; returns the amr it adds. */
    async verifyWebauthn({ accountId, challengeId, response }: { accountId: string; challengeId: unknown; response: unknown }): Promise<string> {
      const failed = (reason: string) => recordAudit(queries, { type: 'second_factor.failed', subjectId: accountId, details: { factor: 'passkey', reason } });
      let credential: WebauthnCredentialRow;
      try {
        credential = await webauthn.authenticate({ challengeId, response, purpose: 'second_factor' });
      } catch (error) {
        if (error instanceof RequestError && error.status < 500 && error.status !== 429) await failed(error.code);
        throw error;
      }
      if (credential.account_id !== accountId) {
        await failed('other_account');
        throw new RequestError('webauthn_failed', 400, 'This key or passkey belongs to another account.', { messageKey: 'messages.webauthnOtherAccount' });
      }
      await recordAudit(queries, { type: 'second_factor.passed', subjectId: accountId, details: { factor: 'passkey' } });
      return webauthnAmr(credential);
    },

    /**
     * Drops every factor and recovery code of an account whose address its owner has just
     * claimed: whoever registered it unverified must keep no way in.
     */
    async forgetAll(q: Queries, accountId: string): Promise<void> {
      const had = factorIds(await currentFactors(q, accountId));
      await q.totpFactors.deleteTotpFactors(accountId);
      await q.webauthn.deleteWebauthnCredentials(accountId);
      await recoveryCodes.remove(q, accountId);
      if (had.length) await recordAudit(q, { type: 'factor.removed', subjectId: accountId, details: { factor: 'all', reason: 'address_claimed' } });
    },

    /** Starts setting up an authenticator app (nothing changes until a first code confirms it). */
    beginTotpEnrolment: (account: Person) => totp.beginEnrolment(account),
    /** The set-up started earlier, to show its secret again; undefined once confirmed or gone. */
    pendingTotpEnrolment: (account: Person, factorId: string) => totp.pendingEnrolment(account, factorId),

    /** Activates an authenticator app; returns recovery codes when it is the account's first factor. */
    async confirmTotp(account: Person, factorId: string, code: unknown): Promise<string[] | null> {
      return queries.transaction(async (q) => {
        const had = await lockFactors(q, account.id);
        await totp.confirmEnrolment(q, account.id, factorId, code);
        await recordAudit(q, { type: 'factor.added', subjectId: account.id, details: { factor: 'totp', replaced: had.totp } });
        await notices.notify(q, account, phrase(had.totp ? 'notice.appReplaced' : 'notice.appAdded'), {
          kind: 'factor_added', factorsBefore: had.ids,
        });
        return recoveryCodesIfFirst(q, account.id, had.any);
      });
    },

    /** Registers a key or passkey; returns recovery codes when it is the account's first factor. */
    async addPasskey(account: Person, ceremony: { challengeId: unknown; response: unknown; name: unknown }): Promise<{ credential: WebauthnCredentialRow; recoveryCodes: string[] | null }> {
      return queries.transaction(async (q) => {
        const had = await lockFactors(q, account.id);
        const credential = await webauthn.register(q, account.id, ceremony);
        await recordAudit(q, { type: 'factor.added', subjectId: account.id, details: { factor: 'passkey', credential_id: credential.id } });
        // Not its name: whoever added it chose that, and it may not be the owner.
        await notices.notify(q, account, phrase('notice.passkeyAdded'), { kind: 'factor_added', factorsBefore: had.ids });
        return { credential, recoveryCodes: await recoveryCodesIfFirst(q, account.id, had.any) };
      });
    },

    async removeTotp(account: Person): Promise<void> {
      await queries.transaction(async (q) => {
        const had = await lockFactors(q, account.id);
        if (!(await totp.remove(q, account.id))) return;
        await recordAudit(q, { type: 'factor.removed', subjectId: account.id, details: { factor: 'totp' } });
        await afterRemoval(q, account, phrase('notice.appRemoved'), had.ids);
      });
    },

    async removePasskey(account: Person, id: string): Promise<void> {
      await queries.transaction(async (q) => {
        const had = await lockFactors(q, account.id);
        if (!had.ids.includes(id) || !(await webauthn.remove(q, account.id, id))) return;
        await recordAudit(q, { type: 'factor.removed', subjectId: account.id, details: { factor: 'passkey', credential_id: id } });
        await afterRemoval(q, account, phrase('notice.passkeyRemoved'), had.ids);
      });
    },

    async regenerateRecoveryCodes(account: Person): Promise<string[]> {
      return queries.transaction(async (q) => {
        const had = await lockFactors(q, account.id);
        const codes = await recoveryCodes.regenerate(q, account.id);
        await recordAudit(q, { type: 'recovery_codes.made', subjectId: account.id });
        await notices.notify(q, account, phrase('notice.codesMade'), { kind: 'recovery_codes_made', factorsBefore: had.ids });
        return codes;
      });
    },
  };
}

export type SecondFactors = ReturnType<typeof createSecondFactors>;
