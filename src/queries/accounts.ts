// SQL for the accounts table.
import type { Knex } from 'knex';

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
}

export type NewAccount = Pick<AccountRow, 'id' | 'email' | 'email_verified' | 'password_hash' | 'name' | 'given_name' | 'family_name'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAccountQueries(db: Knex) {
  return {
    /** Inserts the account, or returns undefined when the email (in any letter case) is taken. */
    async insertAccount(account: NewAccount): Promise<AccountRow | undefined> {
      const result = await db.raw<{ rows: AccountRow[] }>(
        `insert into accounts (id, email, email_verified, password_hash, name, given_name, family_name)
         values (:id, :email, :email_verified, :password_hash, :name, :given_name, :family_name)
         on conflict ((lower(email))) do nothing
         returning *`,
        account,
      );
      return result.rows[0];
    },

    async maybeFindAccountById(id: string): Promise<AccountRow | undefined> {
      if (!UUID.test(id)) return undefined; // not an id Postgres could even compare
      return db<AccountRow>('accounts').where({ id }).first();
    },

    async maybeFindAccountByEmail(email: string): Promise<AccountRow | undefined> {
      return db<AccountRow>('accounts').whereRaw('lower(email) = lower(?)', [email]).first();
    },

    async listAccounts({ limit, offset }: { limit: number; offset: number }): Promise<AccountRow[]> {
      return db<AccountRow>('accounts').orderBy('created_at').orderBy('id').limit(limit).offset(offset);
    },

    async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
      await db('accounts').where({ id }).update({ password_hash: passwordHash, updated_at: db.fn.now() });
    },

    async recordLogin(id: string): Promise<void> {
      await db('accounts').where({ id }).update({ last_login_at: db.fn.now() });
    },

    async setAccountDisabled(id: string, disabled: boolean): Promise<void> {
      await db('accounts').where({ id }).update({ disabled, updated_at: db.fn.now() });
    },
  };
}
