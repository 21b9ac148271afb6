// What an administrator does to people, whichever door they use (admin API, console, CLI): find
// them, see everything about them, make them (with an invitation to choose a password), change
// their profile or address, prove their address, send a reset, end their sessions, take away
// their second factors when they lost them, delete them. Each change is audited, in its transaction.
import crypto from 'node:crypto';
import type { Config } from '../config/env.ts';
import { greetingName } from '../mail/greeting.ts';
import type { Mail } from '../mail/index.ts';
import type { AccountProfileChange, AccountRow } from '../queries/accounts.ts';
import type { Queries } from '../queries/index.ts';
import type { Accounts, NewAccountInput } from './accounts.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { PasswordHasher } from './passwords.ts';
import { recordAudit } from './audit/audit-log.ts';
import { ADMIN_ROLE, assertAnotherAdminRemains } from './roles.ts';
import { isActiveNow } from './session-activity.ts';
import { normaliseEmail } from './email-address.ts';
import { assertThat, RequestError } from './errors.ts';
import type { OneTimeSecrets } from './one-time-secrets.ts';
import { queueResetMail } from './password-reset.ts';
import { signedInApplicationsOf, signOut } from './sign-out.ts';
import { describeDevice } from './device-names.ts';

/** Who had an account deleted (the details of its account.deleted event, and what its mail says). */
export type DeletedBy = 'self' | 'admin' | 'directory';

/** Keys of audit event details that may carry personal data: gone from a deleted account's events. */
const PERSONAL_DETAIL_KEYS = ['email', 'new_email', 'old_email', 'address', 'name', 'given_name', 'family_name', 'picture', 'ip', 'user_agent'];

/** How long an invitation's "choose your password" link works. */
export const INVITE_LINK_SECONDS = 7 * 24 * 60 * 60;

export function presentAccount(account: AccountRow & { has_second_factor?: boolean }) {
  return {
    id: account.id,
    email: account.email,
    email_verified: account.email_verified,
    name: account.name,
    given_name: account.given_name,
    family_name: account.family_name,
    disabled: account.disabled,
    roles: account.roles,
    has_password: account.password_hash !== null,
    ...(account.has_second_factor === undefined ? {} : { has_second_factor: account.has_second_factor }),
    language: account.language,
    preferred_language: account.preferred_language,
    picture: account.picture,
    created_at: account.created_at.toISOString(),
    updated_at: account.updated_at.toISOString(),
    last_sign_in_at: account.last_login_at?.toISOString() ?? null,
    signup: { method: account.signup_method, client_id: account.signup_client_id, referrer: account.signup_referrer, utm: account.signup_utm },
  };
}

export type PresentedAccount = ReturnType<typeof presentAccount>;

export interface AccountFilter {
  query?: string;
  role?: string;
  disabled?: boolean;
  verified?: boolean;
  hasSecondFactor?: boolean;
  cursor?: string;
  limit: number;
}

const encodeCursor = (account: AccountRow) => Buffer.from(JSON.stringify([account.created_at.toISOString(), account.id])).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (!Number.isNaN(createdAt.getTime()) && /^[0-9a-f-]{36}$/.test(id)) return { createdAt, id };
  } catch {
    // falls through to the refusal
  }
  throw new RequestError('invalid_cursor', 400, 'The cursor is not one this API gave out.');
}

/** What a provisioning directory (SCIM) says about a person; what it leaves out stays as it is. */
export interface DirectoryRecord {
  email?: unknown;
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  externalId?: string | null;
  active?: boolean;
  /** Checked against the password policy, hashed, never returned. */
  password?: unknown;
}

/**
 * Whether a directory (a caller with the scim scope alone) may change this account: only one
 * it provisioned, and never one that administers Latchkey. Anything else takes the admin scope,
 * or a SCIM token would be a way to take over any account (a new address and password).
 */
export const directoryManages = (account: Pick<AccountRow, 'signup_method' | 'roles'>) =>
  account.signup_method === 'scim' && !account.roles.includes(ADMIN_ROLE);

function assertDirectoryManages(account: Pick<AccountRow, 'id' | 'signup_method' | 'roles'>): void {
  if (!directoryManages(account)) {
    throw new RequestError('not_directory_managed', 403, `Account ${account.id} was not provisioned over SCIM, or holds the admin role: changing it takes a token with the admin scope.`);
  }
}

/**
 * The same check with the account held until the transaction ends: an admin role given between
 * the first look and the write (the password hash takes a while) cannot slip through.
 */
async function recheckDirectoryManages(q: Queries, accountId: string): Promise<void> {
  await q.accounts.lockAccount(accountId);
  const now = await q.accounts.maybeFindAccountById(accountId);
  if (!now) throw new RequestError('account_not_found', 404, `No account ${accountId}.`);
  assertDirectoryManages(now);
}

export interface ProfileChange {
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  email?: string;
  emailVerified?: boolean;
}

export function createAccountAdmin({ config, queries, accounts, mail, oneTimeSecrets, hasher, passwordPolicy }: {
  config: Config; queries: Queries; accounts: Accounts; mail: Mail; oneTimeSecrets: OneTimeSecrets; hasher: PasswordHasher; passwordPolicy: PasswordPolicy;
}) {
  async function find(id: string): Promise<AccountRow> {
    const account = await queries.accounts.maybeFindAccountById(id);
    if (!account) throw new RequestError('account_not_found', 404, `No account ${id}.`);
    return account;
  }

  async function queueInvite(q: Queries, account: AccountRow): Promise<void> {
    const token = await oneTimeSecrets.issueLink(q, { purpose: 'reset_password', email: account.email, accountId: account.id, ttlSeconds: INVITE_LINK_SECONDS });
    await mail.enqueue(q, {
      to: account.email,
      subject: 'mail.invite.subject',
      template: 'invite',
      accountLanguage: account.language,
      data: { name: greetingName(account), link: `${config.issuer}/password/reset?token=${token}`, days: INVITE_LINK_SECONDS / 86_400 },
    });
  }

  return {
    /** Accounts matching every filter, newest first; `next` is the cursor of the following page. */
    async search(filter: AccountFilter): Promise<{ accounts: PresentedAccount[]; next: string | undefined }> {
      const rows = await queries.accounts.searchAccounts({
        query: filter.query, role: filter.role, disabled: filter.disabled, verified: filter.verified, hasSecondFactor: filter.hasSecondFactor,
        after: filter.cursor ? decodeCursor(filter.cursor) : undefined, limit: filter.limit + 1,
      });
      const page = rows.slice(0, filter.limit);
      return { accounts: page.map(presentAccount), next: rows.length > filter.limit ? encodeCursor(page.at(-1)!) : undefined };
    },

    /** Everything an administrator may see about one person (never a secret). */
    async view(id: string) {
      const account = await find(id);
      const [totp, passkeys, recoveryCodesLeft, sessions, consents, hasSecondFactor] = await Promise.all([
        queries.totpFactors.maybeFindConfirmedTotpFactor(account.id),
        queries.webauthn.listWebauthnCredentials(account.id),
        queries.recoveryCodes.countUnusedRecoveryCodes(account.id),
        queries.oidcPayloads.listLivePayloadsOfAccount('Session', account.id),
        queries.consents.listConsents(account.id),
        queries.accounts.accountHasSecondFactor(account.id),
      ]);
      const clientNames = new Map((await queries.clients.listClients()).map((client) => [client.client_id, client.name]));
      const lastSeen = sessions.reduce<Date | null>((latest, { savedAt }) => (savedAt && (!latest || savedAt > latest) ? savedAt : latest), null);
      return {
        ...presentAccount({ ...account, has_second_factor: hasSecondFactor }),
        last_seen_at: lastSeen?.toISOString() ?? null,
        active_now: isActiveNow(lastSeen),
        second_factors: {
          totp: totp ? { since: (totp.confirmed_at ?? totp.created_at).toISOString() } : null,
          passkeys: passkeys.map((key) => ({
            id: key.id, name: key.name, synced: key.backed_up, created_at: key.created_at.toISOString(), last_used_at: key.last_used_at?.toISOString() ?? null,
          })),
          recovery_codes_left: recoveryCodesLeft,
        },
        sessions: sessions.map(({ payload, expiresAt, savedAt }) => ({
          signed_in_at: typeof payload.loginTs === 'number' ? new Date(payload.loginTs * 1000).toISOString() : null,
          // Saved when it signs the person in to an application, and marked by their requests (at most once a minute).
          last_active_at: savedAt?.toISOString() ?? null,
          active_now: isActiveNow(savedAt),
          expires_at: expiresAt?.toISOString() ?? null,
          amr: Array.isArray(payload.amr) ? payload.amr as string[] : [],
          ...describeDevice(payload.latchkey_device), // ip, user_agent, and the browser and system it names
          applications: signedInApplicationsOf(payload).map(([clientId]) => clientId),
        })),
        applications: consents.map((consent) => ({
          client_id: consent.client_id, client_name: clientNames.get(consent.client_id) ?? null, scopes: consent.scopes,
          allowed_at: consent.created_at.toISOString(), updated_at: consent.updated_at.toISOString(),
        })),
      };
    },

    /**
     * Makes an account. Without a password the person is mailed a link to choose one (valid 7
     * days); `invite: false` leaves them to "Forgot your password?" or a mailed code.
     */
    async create(input: Omit<NewAccountInput, 'signupMethod'> & { invite?: boolean }): Promise<AccountRow> {
      const prepared = await accounts.prepareAccount({ ...input, signupMethod: 'admin' });
      return queries.transaction(async (q) => {
        const account = await q.accounts.insertAccount(prepared);
        if (!account) throw new RequestError('email_taken', 409, `An account with ${prepared.email} already exists.`);
        const invited = input.password === undefined && input.invite !== false;
        await recordAudit(q, { type: 'account.created', subjectId: account.id, details: { method: 'admin', roles: account.roles, invited } });
        if (invited) await queueInvite(q, account);
        return account;
      });
    },

    /** Changes names, the address and whether it is verified; a new address is unverified unless said otherwise. */
    async updateProfile(id: string, change: ProfileChange): Promise<AccountRow> {
      const account = await find(id);
      const checked = accounts.checkProfile({ name: change.name, givenName: change.givenName, familyName: change.familyName });
      const update: AccountProfileChange = {};
      if (change.name !== undefined) update.name = checked.name;
      if (change.givenName !== undefined) update.given_name = checked.givenName;
      if (change.familyName !== undefined) update.family_name = checked.familyName;
      const email = change.email === undefined ? undefined : normaliseEmail(change.email);
      const newAddress = email !== undefined && email.toLowerCase() !== account.email.toLowerCase();
      if (email !== undefined && email !== account.email) update.email = email;
      if (change.emailVerified !== undefined) update.email_verified = change.emailVerified;
      else if (newAddress) update.email_verified = false;
      const fields = Object.keys(update).filter((field) => update[field as keyof AccountProfileChange] !== account[field as keyof AccountRow]);
      if (!fields.length) return account;
      return queries.transaction(async (q) => {
        if (!(await q.accounts.updateAccountProfile(account.id, update))) throw new RequestError('email_taken', 409, `Another account has ${email}.`);
        if (newAddress) {
          // Links and codes mailed to the old address stop working; so do sign-ins in progress with it.
          await q.oneTimeSecrets.deleteOneTimeSecretsOfAccount(account.id);
          await recordAudit(q, { type: 'email.changed', subjectId: account.id });
        }
        if (update.email_verified && !account.email_verified) await recordAudit(q, { type: 'email.verified', subjectId: account.id, details: { how: 'admin' } });
        await recordAudit(q, { type: 'account.updated', subjectId: account.id, details: { fields } });
        return (await q.accounts.maybeFindAccountById(account.id))!;
      });
    },

    /**
     * A person a directory provisions: the directory vouches for the address (verified). Without
     * a password they are mailed a link to choose one; inactive, the account is made disabled.
     */
    async provision(record: DirectoryRecord & { email: unknown }): Promise<AccountRow> {
      const prepared = await accounts.prepareAccount({
        email: record.email, password: record.password, name: record.name ?? undefined, givenName: record.givenName ?? undefined,
        familyName: record.familyName ?? undefined, emailVerified: true, signupMethod: 'scim',
      });
      const disabled = record.active === false;
      return queries.transaction(async (q) => {
        const account = await q.accounts.insertAccount({ ...prepared, disabled, external_id: record.externalId ?? null });
        if (!account) throw new RequestError('email_taken', 409, `An account with ${prepared.email} already exists.`);
        const invited = record.password === undefined && !disabled;
        await recordAudit(q, { type: 'account.created', subjectId: account.id, details: { method: 'scim', roles: account.roles, invited, disabled } });
        if (invited) await queueInvite(q, account);
        return account;
      });
    },

    /**
     * Applies what a directory says now (SCIM PUT or PATCH): a new address (verified: the
     * directory vouches), names, external id, a password (which signs the person out
     * everywhere), and active (false disables: sessions, grants and tokens end).
     */
    async applyDirectory(id: string, record: DirectoryRecord, { asDirectory }: { asDirectory: boolean }): Promise<AccountRow> {
      const account = await find(id);
      if (asDirectory) assertDirectoryManages(account);
      const names = accounts.checkProfile({ name: record.name, givenName: record.givenName, familyName: record.familyName });
      const change: Parameters<Queries['accounts']['updateFromDirectory']>[1] = {};
      if (record.name !== undefined && names.name !== account.name) change.name = names.name;
      if (record.givenName !== undefined && names.givenName !== account.given_name) change.given_name = names.givenName;
      if (record.familyName !== undefined && names.familyName !== account.family_name) change.family_name = names.familyName;
      if (record.externalId !== undefined && record.externalId !== account.external_id) change.external_id = record.externalId;
      const email = record.email === undefined ? undefined : normaliseEmail(record.email);
      const newAddress = email !== undefined && email.toLowerCase() !== account.email.toLowerCase();
      if (email !== undefined && email !== account.email) change.email = email;
      if (newAddress && !account.email_verified) change.email_verified = true;
      if (record.password !== undefined) {
        const password = passwordPolicy.check(record.password, { email: email ?? account.email, name: names.name, givenName: names.givenName, familyName: names.familyName });
        change.password_hash = await hasher.hash(password);
      }
      if (record.active !== undefined && record.active === account.disabled) change.disabled = !record.active;
      const fields = Object.keys(change).filter((field) => field !== 'password_hash' && field !== 'disabled');
      if (!Object.keys(change).length) return account;
      return queries.transaction(async (q) => {
        if (asDirectory) await recheckDirectoryManages(q, account.id);
        if (!(await q.accounts.updateFromDirectory(account.id, change))) throw new RequestError('email_taken', 409, `Another account has ${email}.`);
        if (newAddress) {
          await q.oneTimeSecrets.deleteOneTimeSecretsOfAccount(account.id);
          await recordAudit(q, { type: 'email.changed', subjectId: account.id });
        }
        if (fields.length) await recordAudit(q, { type: 'account.updated', subjectId: account.id, details: { fields } });
        if (change.password_hash !== undefined) await recordAudit(q, { type: 'password.changed', subjectId: account.id, details: { by: 'directory' } });
        if (change.password_hash !== undefined || change.disabled) await signOut(q, account.id);
        if (change.disabled !== undefined) await recordAudit(q, { type: change.disabled ? 'account.disabled' : 'account.enabled', subjectId: account.id });
        return (await q.accounts.maybeFindAccountById(account.id))!;
      });
    },

    /** Refuses (404) unless every one of these accounts exists, and (403) as a directory, unless it may change them. */
    async assertMayChangeAll(accountIds: string[], { asDirectory }: { asDirectory: boolean }): Promise<void> {
      for (const id of new Set(accountIds)) {
        const account = await find(id);
        if (asDirectory) assertDirectoryManages(account);
      }
    },

    /** Mails the person a link to choose a new password (what "Forgot your password?" sends). */
    async sendPasswordReset(id: string): Promise<void> {
      const account = await find(id);
      assertThat(!account.disabled, 'account_disabled', 'The account is disabled: enable it first.', 409);
      await queries.transaction(async (q) => {
        await queueResetMail(q, { config, oneTimeSecrets, mail }, account);
        await recordAudit(q, { type: 'password.reset_sent', subjectId: account.id });
      });
    },

    /**
     * For a person who lost every second factor: removes the authenticator app, keys, passkeys
     * and recovery codes, signs out everywhere, and mails the owner. Sign-in then asks them to
     * set one up again where policy requires one.
     */
    async removeSecondFactors(id: string): Promise<{ removed: number }> {
      const account = await find(id);
      return queries.transaction(async (q) => {
        await q.accounts.lockAccount(account.id);
        const removed = await q.totpFactors.deleteTotpFactors(account.id) + await q.webauthn.deleteWebauthnCredentials(account.id);
        await q.recoveryCodes.deleteRecoveryCodes(account.id);
        if (!removed) return { removed };
        await signOut(q, account.id);
        await mail.enqueue(q, { to: account.email, subject: 'mail.factorsRemoved.subject', template: 'factors-removed', accountLanguage: account.language, data: { name: greetingName(account) } });
        await recordAudit(q, { type: 'factor.removed', subjectId: account.id, details: { factor: 'all', count: removed, reason: 'admin' } });
        return { removed };
      });
    },

    /** Signs the person out everywhere: sessions, grants and every token end. */
    async endSessions(id: string): Promise<{ ended: number }> {
      const account = await find(id);
      return queries.transaction(async (q) => {
        const { ended } = await signOut(q, account.id);
        if (ended) await recordAudit(q, { type: 'sessions.ended', subjectId: account.id, details: { records: ended } });
        return { ended };
      });
    },

    /**
     * Erases the account with its factors, sessions, grants, tokens, consents and pending links,
     * whoever asks (the person, an administrator, a directory): every application it used is
     * owed a back-channel logout, its audit events keep no personal data (it becomes a random
     * pseudonym there, the same in all of them, linked to nothing), and the address is mailed
     * that it is gone. All in one transaction.
     */
    async delete(id: string, { asDirectory = false, by = asDirectory ? 'directory' : 'admin' }: { asDirectory?: boolean; by?: DeletedBy } = {}): Promise<void> {
      const account = await find(id);
      if (asDirectory) assertDirectoryManages(account);
      await queries.transaction(async (q) => {
        if (asDirectory) await recheckDirectoryManages(q, account.id);
        await q.accounts.lockAccount(account.id);
        const held = await q.accounts.maybeFindAccountById(account.id); // as it is now (an address change may have just landed)
        if (!held) throw new RequestError('account_not_found', 404, `No account ${id}.`);
        // While the old address may still undo a change of address, the person cannot delete the
        // account from under it (whoever changed the address could otherwise make the undo useless).
        if (by === 'self' && await q.oneTimeSecrets.hasLiveSecretOfAccount(account.id, 'undo_email_change')) {
          throw new RequestError('address_change_pending', 409, 'Your address was changed recently, and the old address can still undo it: the account can be deleted once that link has expired (7 days after the change), or by an administrator.', { messageKey: 'account.data.addressChangePending' });
        }
        if (held.roles.includes(ADMIN_ROLE)) await assertAnotherAdminRemains(q, account.id);
        const used = new Set([...(await q.consents.listConsents(account.id)).map((consent) => consent.client_id), ...await q.auditEvents.listClientsSignedInto(account.id)]);
        await signOut(q, account.id, { everywhere: true }, { alsoNotify: [...used] });
        await q.accounts.deleteAccount(account.id); // factors, codes, consents and links go with it
        await recordAudit(q, { type: 'account.deleted', subjectId: account.id, details: { by } }); // pseudonymised with the rest, next
        await q.auditEvents.pseudonymiseAccountEvents({ accountId: account.id, email: held.email, pseudonym: crypto.randomUUID(), personalKeys: PERSONAL_DETAIL_KEYS });
        await mail.enqueue(q, {
          to: held.email, subject: 'mail.accountDeleted.subject', template: 'account-deleted', accountLanguage: held.language, data: { name: greetingName(held), by },
        });
      });
    },
  };
}

export type AccountAdmin = ReturnType<typeof createAccountAdmin>;
