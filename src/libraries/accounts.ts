// Accounts: creation, password authentication with equal timing for unknown and known
// addresses, rehash on sign-in when hashing parameters change, disabling.
import crypto from 'node:crypto';
import type { Queries } from '../queries/index.ts';
import type { AccountRow, NewAccount, SigningInAccount, SignupMethod } from '../queries/accounts.ts';
import { maybeNormaliseEmail, normaliseEmail } from './email-address.ts';
import { auditRow, recordAudit } from './audit/audit-log.ts';
import { RequestError, assertThat } from './errors.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { PasswordHasher } from './passwords.ts';
import { ADMIN_ROLE, assertAnotherAdminRemains } from './roles.ts';
import type { SignupSource } from './signup-source.ts';
import { signOut } from './sign-out.ts';

export interface NewAccountInput {
  email: unknown;
  /** Absent: an account that signs in with mailed codes only. */
  password?: unknown;
  name?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  emailVerified?: boolean;
  signupMethod?: SignupMethod;
  signupSource?: SignupSource;
  /** Administrators hold the "admin" role (MFA_REQUIRED=admins applies to them). */
  admin?: boolean;
}

/** The one answer for a sign-in to a disabled account, wherever it is found out. */
export function accountDisabled(): RequestError {
  return new RequestError('account_disabled', 403, 'This account is disabled. Contact your administrator.');
}

function optionalName(value: string | undefined, label: string): string | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  assertThat(trimmed.length <= 200, 'name_too_long', `${label} must be at most 200 characters.`, 400, { messageKey: 'messages.nameTooLong', max: 200 });
  assertThat(!/\p{Cc}/u.test(trimmed), 'name_invalid', `${label} must not contain control characters.`, 400, { messageKey: 'messages.nameInvalid' });
  return trimmed;
}

export function createAccounts({ queries, hasher, passwordPolicy }: { queries: Queries; hasher: PasswordHasher; passwordPolicy: PasswordPolicy }) {
  async function findByIdOrEmail(idOrEmail: string): Promise<AccountRow> {
    const account = /^[0-9a-f-]{36}$/i.test(idOrEmail)
      ? await queries.accounts.maybeFindAccountById(idOrEmail)
      : await queries.accounts.maybeFindAccountByEmail(maybeNormaliseEmail(idOrEmail) ?? idOrEmail);
    if (!account) throw new RequestError('account_not_found', 404, `No account ${idOrEmail}.`);
    return account;
  }

  /** The new account's fields, checked (the password against the policy); throws a clear RequestError. */
  function checkNewAccount(input: NewAccountInput) {
    const email = normaliseEmail(input.email);
    const name = optionalName(input.name, 'Name');
    const givenName = optionalName(input.givenName, 'Given name');
    const familyName = optionalName(input.familyName, 'Family name');
    const password = input.password === undefined ? undefined
      : passwordPolicy.check(input.password, { email, name, givenName, familyName });
    return { email, name, givenName, familyName, password };
  }

  async function prepareAccount(input: NewAccountInput): Promise<NewAccount> {
    const { email, name, givenName, familyName, password } = checkNewAccount(input);
    return {
      id: crypto.randomUUID(),
      email,
      email_verified: input.emailVerified ?? false,
      password_hash: password === undefined ? null : await hasher.hash(password),
      name,
      given_name: givenName,
      family_name: familyName,
      signup_method: input.signupMethod ?? null,
      signup_client_id: input.signupSource?.clientId ?? null,
      signup_referrer: input.signupSource?.referrer ?? null,
      signup_utm: input.signupSource?.utm ?? null,
      roles: input.admin ? ['admin'] : [],
    };
  }

  return {
    checkNewAccount,
    /** Names as a profile change gives them: null or blank clears one; each checked like a new account's. */
    checkProfile: (names: { name?: string | null; givenName?: string | null; familyName?: string | null }) => ({
      name: optionalName(names.name ?? undefined, 'Name'),
      givenName: optionalName(names.givenName ?? undefined, 'Given name'),
      familyName: optionalName(names.familyName ?? undefined, 'Family name'),
    }),
    /** Checks a new account's fields and hashes its password; nothing is written yet. */
    prepareAccount,

    async createAccount(input: NewAccountInput): Promise<AccountRow> {
      const prepared = await prepareAccount(input);
      return queries.transaction(async (q) => {
        const account = await q.accounts.insertAccount(prepared);
        if (!account) throw new RequestError('email_taken', 409, `An account with ${prepared.email} already exists.`);
        await recordAudit(q, { type: 'account.created', subjectId: account.id, details: { method: input.signupMethod ?? 'admin', roles: account.roles } });
        return account;
      });
    },

    /**
     * The account whose password this is, or undefined. Costs one argon2 verification whether
     * or not the address has an account, so timing does not reveal which addresses exist.
     */
    async authenticateWithPassword(email: string, password: string): Promise<SigningInAccount | undefined> {
      const account = await queries.accounts.maybeFindSigningInAccountByEmail(email);
      if (!account?.password_hash) {
        await hasher.verifyNothing(password);
        await recordAudit(queries, { type: 'sign_in.failed', subjectId: account?.id, details: { method: 'password', ...(account ? { reason: 'no_password' } : { reason: 'unknown_account', email }) } });
        return undefined;
      }
      const { ok, needsRehash } = await hasher.verify(account.password_hash, password);
      if (!ok) {
        await recordAudit(queries, { type: 'sign_in.failed', subjectId: account.id, details: { method: 'password', reason: 'wrong_password' } });
        return undefined;
      }
      if (needsRehash) await queries.accounts.updatePasswordHash(account.id, await hasher.hash(password));
      return account;
    },

    /** The account with this id or address, or account_not_found. */
    findByIdOrEmail,

    /** A finished sign-in: last sign-in, the language for mails no page causes, and its audit event. */
    recordSignIn: ({ accountId, language, clientId, amr, acr }: { accountId: string; language: string; clientId: string | undefined; amr: string[]; acr: string }) =>
      queries.accounts.recordLogin(accountId, language, auditRow({ type: 'sign_in.succeeded', subjectId: accountId, clientId, details: { amr, acr } })),

    /** The account behind a token or session, unless it is gone or disabled. */
    async maybeFindActiveAccount(accountId: string): Promise<AccountRow | undefined> {
      const account = await queries.accounts.maybeFindAccountById(accountId);
      return account && !account.disabled ? account : undefined;
    },

    /** An enabled account with whether it has a second factor: what one authorization asks of it, read once. */
    async maybeFindActiveSigningInAccount(accountId: string): Promise<SigningInAccount | undefined> {
      const account = await queries.accounts.maybeFindSigningInAccountById(accountId);
      return account && !account.disabled ? account : undefined;
    },

    listAccounts: (page: { limit: number; offset: number }) => queries.accounts.listAccounts(page),

    /** Disabling also ends the account's sessions and revokes its grants and tokens. */
    async setDisabled(idOrEmail: string, disabled: boolean): Promise<AccountRow> {
      const account = await findByIdOrEmail(idOrEmail);
      if (account.disabled === disabled) return account;
      await queries.transaction(async (q) => {
        if (disabled && account.roles.includes(ADMIN_ROLE)) await assertAnotherAdminRemains(q, account.id);
        await q.accounts.setAccountDisabled(account.id, disabled);
        if (disabled) await signOut(q, account.id);
        await recordAudit(q, { type: disabled ? 'account.disabled' : 'account.enabled', subjectId: account.id });
      });
      return { ...account, disabled };
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
