// SQL for the accounts table.
import type { Knex } from 'knex';
import { prepared } from './prepared.ts';
import type { NewAuditEvent } from './audit-events.ts';

export interface AccountRow {
  id: string;
  email: string;
  email_verified: boolean;
  password_hash: string | null;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
  /** The language for mails no page causes: the one the person chose on their profile, else that of the pages they last signed in on. */
  language: string | null;
  /** The language the person chose on their profile page (a sign-in in another language does not change it). */
  preferred_language: string | null;
  /** A URL of the person's picture (the `picture` claim). */
  picture: string | null;
  signup_method: SignupMethod | null;
  signup_client_id: string | null;
  signup_referrer: string | null;
  signup_utm: Record<string, string> | null;
  password_changed_at: Date | null;
  /** The id a provisioning directory gave the person (SCIM externalId). */
  external_id: string | null;
  /** The names of the roles it holds (the roles table defines them; admin is built in). */
  roles: string[];
}

export type SignupMethod = 'registration' | 'email_code' | 'cli' | 'admin' | 'scim' | 'import';

export type NewAccount = Pick<AccountRow, 'id' | 'email' | 'email_verified' | 'password_hash' | 'name' | 'given_name' | 'family_name'
  | 'signup_method' | 'signup_client_id' | 'signup_referrer' | 'signup_utm' | 'roles'> & { disabled?: boolean; external_id?: string | null };

/** One comparison of a directory's filter (SCIM), on a column it may filter by. */
export interface DirectoryCondition {
  field: 'id' | 'email' | 'external_id' | 'name' | 'given_name' | 'family_name' | 'active' | 'created_at' | 'updated_at';
  op: 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'pr' | 'gt' | 'ge' | 'lt' | 'le';
  value?: string | boolean | Date;
  negate?: boolean;
}

export interface AccountSearch {
  /** A prefix of the address or the name, any letter case. */
  query?: string;
  role?: string;
  disabled?: boolean;
  verified?: boolean;
  hasSecondFactor?: boolean;
  /** The last account of the previous page (accounts come newest first). */
  after?: { createdAt: Date; id: string };
  limit: number;
}

export type AccountProfileChange = Partial<Pick<AccountRow, 'name' | 'given_name' | 'family_name' | 'email' | 'email_verified'>>;

/** What a person changes on their own profile page (language: the one their mails use, set with the preferred one). */
export type OwnProfileChange = Partial<Pick<AccountRow, 'name' | 'given_name' | 'family_name' | 'picture' | 'preferred_language' | 'language'>>;

export interface SignupCount {
  key: string;
  count: number;
}

export interface ClientSignupCount extends SignupCount {
  /** The client's name, if it is still registered. */
  name: string | null;
}

/** The account as a sign-in reads it: with whether it has a second factor (a confirmed authenticator app, or a key or passkey). */
export type SigningInAccount = AccountRow & { has_second_factor: boolean };

/**
 * The account's columns by name, for prepared statements: Postgres fixes a prepared statement's
 * result columns, so a `*` in one would fail on every connection after a migration adds a column.
 */
export const ACCOUNT_COLUMNS = ['id', 'email', 'email_verified', 'password_hash', 'name', 'given_name', 'family_name', 'disabled',
  'created_at', 'updated_at', 'last_login_at', 'language', 'preferred_language', 'picture', 'signup_method', 'signup_client_id',
  'signup_referrer', 'signup_utm', 'password_changed_at', 'external_id', 'roles'].map((column) => `accounts.${column}`).join(', ');

/** Whether the account has a second factor: a confirmed authenticator app, or a key or passkey. */
const secondFactorOf = (accountId: string) => `(exists (select 1 from totp_factors where account_id = ${accountId} and confirmed_at is not null)
  or exists (select 1 from webauthn_credentials where account_id = ${accountId}))`;

export const HAS_SECOND_FACTOR = `${secondFactorOf('accounts.id')} as has_second_factor`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAccountQueries(db: Knex) {
  return {
    /**
     * Inserts the account (with the roles given and every default role), or returns undefined when
     * the email (in any letter case) is taken, or held: an account changed away from it, and the
     * link that puts it back is still live (nobody may take it meanwhile).
     */
    async insertAccount(account: NewAccount): Promise<AccountRow | undefined> {
      const result = await db.raw<{ rows: AccountRow[] }>(
        `insert into accounts (id, email, email_verified, password_hash, name, given_name, family_name,
           signup_method, signup_client_id, signup_referrer, signup_utm, disabled, external_id, roles)
         select :id, :email, :email_verified, :password_hash, :name, :given_name, :family_name,
           :signup_method, :signup_client_id, :signup_referrer, :signup_utm::jsonb, :disabled, :external_id,
           :roles::text[] || array(select name from roles where is_default and not (name = any(:roles::text[])) order by name)
         where not exists (select 1 from one_time_secrets where purpose = 'undo_email_change' and lower(email) = lower(:email)
                           and consumed_at is null and expires_at > now())
         on conflict ((lower(email))) do nothing
         returning *`,
        { ...account, disabled: account.disabled ?? false, external_id: account.external_id ?? null, signup_utm: account.signup_utm ? JSON.stringify(account.signup_utm) : null },
      );
      return result.rows[0];
    },

    /** The account and whether it has a second factor, in one statement: every sign-in and authorization asks both. */
    async maybeFindSigningInAccountById(id: string): Promise<SigningInAccount | undefined> {
      if (!UUID.test(id)) return undefined;
      return prepared('signing_in_account_by_id', db('accounts').select(db.raw(`${ACCOUNT_COLUMNS}, ${HAS_SECOND_FACTOR}`)).where({ id }).first());
    },

    async maybeFindSigningInAccountByEmail(email: string): Promise<SigningInAccount | undefined> {
      return prepared('signing_in_account_by_email', db('accounts').select(db.raw(`${ACCOUNT_COLUMNS}, ${HAS_SECOND_FACTOR}`)).whereRaw('lower(email) = lower(?)', [email]).first());
    },

    async maybeFindAccountById(id: string): Promise<AccountRow | undefined> {
      if (!UUID.test(id)) return undefined; // not an id Postgres could even compare
      return db<AccountRow>('accounts').where({ id }).first();
    },

    /** Whether the account has a second factor (a confirmed authenticator app or a key or passkey), in one query. */
    async accountHasSecondFactor(id: string): Promise<boolean> {
      const result = await db.raw<{ rows: Array<{ any: boolean }> }>(
        `select ${secondFactorOf(':id')} as any`,
        { id },
      );
      return result.rows[0]!.any;
    },

    /** The enabled accounts holding `role`, locked (in id order, so two callers cannot deadlock) until the transaction ends. */
    async lockActiveHolders(role: string): Promise<string[]> {
      const rows = await db('accounts').select('id').whereRaw('roles @> array[?]::text[]', [role]).where({ disabled: false }).orderBy('id').forUpdate();
      return rows.map((row: { id: string }) => row.id);
    },

    /** Holds the account's row until the transaction ends: changes to its factors happen one at a time. */
    async lockAccount(id: string): Promise<void> {
      await db('accounts').where({ id }).forUpdate().select('id');
    },

    async maybeFindAccountByEmail(email: string): Promise<AccountRow | undefined> {
      return db<AccountRow>('accounts').whereRaw('lower(email) = lower(?)', [email]).first();
    },

    /** Accounts matching every filter given, newest first, each with whether it has a second factor. */
    async searchAccounts(search: AccountSearch): Promise<Array<AccountRow & { has_second_factor: boolean }>> {
      const hasFactor = secondFactorOf('accounts.id');
      const query = db<AccountRow>('accounts').select('accounts.*', db.raw(HAS_SECOND_FACTOR))
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(search.limit);
      if (search.query) {
        const prefix = `${search.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query.where((q) => q.whereRaw('lower(email) like ?', [prefix]).orWhereRaw('lower(name) like ?', [prefix]));
      }
      if (search.role) query.whereRaw('roles @> array[?]::text[]', [search.role]); // @>: the roles index can answer it; = any() cannot
      if (search.disabled !== undefined) query.where('disabled', search.disabled);
      if (search.verified !== undefined) query.where('email_verified', search.verified);
      if (search.hasSecondFactor !== undefined) query.whereRaw(search.hasSecondFactor ? hasFactor : `not ${hasFactor}`);
      if (search.after) query.whereRaw('(created_at, id) < (?, ?)', [search.after.createdAt, search.after.id]);
      return query as never;
    },

    /**
     * Accounts matching any of the groups of conditions (each group: all of its conditions), in
     * order of creation, from an offset; with how many match in all. Text compares in any letter
     * case except the case-exact external id.
     */
    async searchDirectory(anyOf: DirectoryCondition[][], page: { offset: number; limit: number }): Promise<{ rows: AccountRow[]; total: number }> {
      const text = (field: string) => (field === 'external_id' ? field : `lower(${field})`);
      const like = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);
      const apply = (query: Knex.QueryBuilder, c: DirectoryCondition) => {
        const method = c.negate ? 'whereNot' : 'where';
        query[method]((q: Knex.QueryBuilder) => {
          if (c.op === 'pr') return void (c.field === 'active' ? q.whereRaw('true') : q.whereNotNull(c.field)); // every account is active or not
          if (c.field === 'active') return void q.where('disabled', c.op === 'eq' ? !c.value : Boolean(c.value));
          if (c.field === 'id' || c.field === 'created_at' || c.field === 'updated_at') {
            const sql = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' }[c.op as 'eq'] ?? '=';
            return void q.where(c.field, sql, c.value as never);
          }
          const value = c.field === 'external_id' ? String(c.value) : String(c.value).toLowerCase();
          const clause = ({
            eq: [`${text(c.field)} = ?`, value], ne: [`${text(c.field)} is distinct from ?`, value],
            sw: [`${text(c.field)} like ?`, `${like(value)}%`], ew: [`${text(c.field)} like ?`, `%${like(value)}`], co: [`${text(c.field)} like ?`, `%${like(value)}%`],
            gt: [`${text(c.field)} > ?`, value], ge: [`${text(c.field)} >= ?`, value], lt: [`${text(c.field)} < ?`, value], le: [`${text(c.field)} <= ?`, value],
          } as Record<string, [string, string]>)[c.op]!;
          q.whereRaw(clause[0], [clause[1]]);
        });
      };
      const matching = () => {
        const query = db('accounts');
        if (anyOf.length) query.where((outer) => { for (const group of anyOf) outer.orWhere((inner) => { for (const c of group) apply(inner, c); }); });
        return query;
      };
      const [rows, [counted]] = await Promise.all([
        matching().select('*').orderBy([{ column: 'created_at' }, { column: 'id' }]).offset(page.offset).limit(page.limit),
        matching().count({ total: '*' }) as unknown as Promise<Array<{ total: string | number }>>,
      ]);
      return { rows: rows as AccountRow[], total: Number(counted?.total ?? 0) };
    },

    /** What a directory sets on an account (SCIM PUT or PATCH); false when the new address is another account's. */
    async updateFromDirectory(id: string, change: Partial<Pick<AccountRow, 'email' | 'email_verified' | 'name' | 'given_name' | 'family_name' | 'external_id' | 'disabled' | 'password_hash'>>): Promise<boolean> {
      const query = db('accounts').where({ id });
      if (change.email !== undefined) {
        query.whereNotExists((other) => other.from('accounts as other').whereRaw('lower(other.email) = lower(?)', [change.email!]).andWhereNot('other.id', id));
      }
      const passwordChanged = change.password_hash !== undefined ? { password_changed_at: db.fn.now() } : {};
      return (await query.update({ ...change, ...passwordChanged, updated_at: db.fn.now() })) > 0;
    },

    /** Changes profile fields (and the address) as given; false when the new address is another account's. */
    async updateAccountProfile(id: string, change: AccountProfileChange): Promise<boolean> {
      const query = db('accounts').where({ id });
      if (change.email !== undefined) {
        query.whereNotExists((other) => other.from('accounts as other').whereRaw('lower(other.email) = lower(?)', [change.email!]).andWhereNot('other.id', id));
      }
      return (await query.update({ ...change, updated_at: db.fn.now() })) > 0;
    },

    async deleteAccount(id: string): Promise<boolean> {
      return (await db('accounts').where({ id }).delete()) > 0;
    },

    async listAccounts({ limit, offset }: { limit: number; offset: number }): Promise<AccountRow[]> {
      return db<AccountRow>('accounts').orderBy('created_at').orderBy('id').limit(limit).offset(offset);
    },

    /** A rehash of the same password (new parameters): not a password change. */
    async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
      await db('accounts').where({ id }).update({ password_hash: passwordHash, updated_at: db.fn.now() });
    },

    /** A new password, which also proves the address (it came through a mailed link). */
    async changePassword(id: string, passwordHash: string): Promise<void> {
      await db('accounts').where({ id })
        .update({ password_hash: passwordHash, password_changed_at: db.fn.now(), email_verified: true, updated_at: db.fn.now() });
    },

    /** No password any more (someone else knows it): sign-ins in progress end, and only a mailed link or code sets a new one. */
    async dropPassword(id: string): Promise<void> {
      await db('accounts').where({ id }).update({ password_hash: null, password_changed_at: db.fn.now(), updated_at: db.fn.now() });
    },

    /** Marks the address verified, if the account still has that address. */
    async markEmailVerified(id: string, email: string): Promise<boolean> {
      const count = await db('accounts').where({ id }).whereRaw('lower(email) = lower(?)', [email])
        .update({ email_verified: true, updated_at: db.fn.now() });
      return count === 1;
    },

    /**
     * The address owner takes over an account they never verified: its password and names were
     * chosen by whoever registered the address, who never proved it, so they go. False when the
     * account was verified already (nothing changes).
     */
    async claimUnverifiedAccount(id: string): Promise<boolean> {
      // An account an administrator made has no untrusted registrant: there is nothing to take
      // over. An imported one may have had one (the old system's registrant), so it is claimed.
      const count = await db('accounts').where({ id, email_verified: false })
        .andWhere((query) => query.whereNull('signup_method').orWhereNotIn('signup_method', ['admin', 'cli', 'scim'])).update({
        email_verified: true, password_hash: null, name: null, given_name: null, family_name: null, picture: null, preferred_language: null,
        password_changed_at: db.fn.now(), updated_at: db.fn.now(),
      });
      return count === 1;
    },

    /** Self-service sign-ups since a moment, counted by source: utm_source, else the referrer's host, else direct. */
    async countSignupsBySource(since: Date): Promise<SignupCount[]> {
      const result = await db.raw<{ rows: Array<{ key: string; count: string }> }>(
        `select coalesce(signup_utm->>'utm_source', substring(signup_referrer from '^[a-z]+://([^/:]+)'), 'direct') as key,
                count(*) as count
         from accounts where created_at >= ? and signup_method in ('registration', 'email_code')
         group by 1 order by 2 desc, 1`,
        [since],
      );
      return result.rows.map((row) => ({ key: row.key, count: Number(row.count) }));
    },

    async countSignupsByClient(since: Date): Promise<ClientSignupCount[]> {
      const result = await db.raw<{ rows: Array<{ key: string | null; name: string | null; count: string }> }>(
        `select accounts.signup_client_id as key, min(clients.name) as name, count(*) as count
         from accounts left join clients on clients.client_id = accounts.signup_client_id
         where accounts.created_at >= ? and accounts.signup_method in ('registration', 'email_code')
         group by 1 order by 3 desc, 1`,
        [since],
      );
      return result.rows.map((row) => ({ key: row.key ?? '', name: row.name, count: Number(row.count) }));
    },

    /** Of these addresses (lower case), those an account has, in any letter case. */
    async findTakenEmails(emails: string[]): Promise<Set<string>> {
      if (!emails.length) return new Set();
      const result = await db.raw<{ rows: Array<{ email: string }> }>('select lower(email) as email from accounts where lower(email) = any(?::text[])', [emails]);
      return new Set(result.rows.map((row) => row.email));
    },

    /** Inserts accounts moving in (with the default roles); those whose address was taken meanwhile are skipped. */
    async insertImportedAccounts(rows: Array<NewAccount & { created_at: string | null }>): Promise<Array<{ id: string; email: string; roles: string[] }>> {
      if (!rows.length) return [];
      const result = await db.raw<{ rows: Array<{ id: string; email: string; roles: string[] }> }>(
        `insert into accounts (id, email, email_verified, password_hash, name, given_name, family_name, signup_method, disabled, external_id, created_at, roles)
         select x.id, x.email, x.email_verified, x.password_hash, x.name, x.given_name, x.family_name, 'import', x.disabled, x.external_id,
                coalesce(x.created_at, now()), x.roles || array(select name from roles where is_default and not (name = any(x.roles)) order by name)
         from jsonb_to_recordset(?::jsonb) as x(id uuid, email text, email_verified boolean, password_hash text, name text, given_name text,
              family_name text, disabled boolean, external_id text, created_at timestamptz, roles text[])
         on conflict ((lower(email))) do nothing
         returning id, email, roles`,
        [JSON.stringify(rows.map((row) => ({ ...row, disabled: row.disabled ?? false, external_id: row.external_id ?? null })))],
      );
      return result.rows;
    },

    /** A finished sign-in, on pages in `language`, with its audit event: one statement, so both or neither. */
    async recordLogin(id: string, language: string, event: NewAuditEvent): Promise<void> {
      await prepared('record_login', db.raw(
        `with signed_in as (update accounts set last_login_at = now(), language = coalesce(preferred_language, :language) where id = :id)
         insert into audit_events (type, actor_type, actor_id, subject_id, client_id, ip, user_agent, request_id, details)
         values (:type, :actor_type, :actor_id, :subject_id, :client_id, :ip, :user_agent, :request_id, :details::jsonb)`,
        { id, language, ...event, details: JSON.stringify(event.details) },
      ));
    },

    async setAccountRoles(id: string, roles: string[]): Promise<void> {
      await db('accounts').where({ id }).update({ roles: db.raw('?::text[]', [roles]), updated_at: db.fn.now() });
    },

    async setAccountDisabled(id: string, disabled: boolean): Promise<void> {
      await db('accounts').where({ id }).update({ disabled, updated_at: db.fn.now() });
    },

    /** A password the person chose on their account page: unlike changePassword, it proves nothing about the address. */
    async setOwnPassword(id: string, passwordHash: string): Promise<void> {
      await db('accounts').where({ id }).update({ password_hash: passwordHash, password_changed_at: db.fn.now(), updated_at: db.fn.now() });
    },

    /** What the person changed on their profile page; updated_at moves. */
    async updateOwnProfile(id: string, change: OwnProfileChange): Promise<void> {
      await db('accounts').where({ id }).update({ ...change, updated_at: db.fn.now() });
    },

    /**
     * A proven address for the account (a new one, or the old one put back), verified. False when
     * another account has it in any letter case, also when one takes it at the same moment: the
     * statement runs in a savepoint of its own, so the caller's transaction goes on.
     */
    async changeEmail(id: string, email: string): Promise<boolean> {
      try {
        return await db.transaction(async (trx) => (await trx('accounts').where({ id })
          .whereNotExists((other) => other.from('accounts as other').whereRaw('lower(other.email) = lower(?)', [email]).andWhereNot('other.id', id))
          .update({ email, email_verified: true, updated_at: trx.fn.now() })) > 0);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') return false; // the unique index on lower(email): taken meanwhile
        throw error;
      }
    },
  };
}
