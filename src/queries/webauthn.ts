// SQL for WebAuthn: registered credentials (security keys and passkeys) and the challenges
// handed out for one ceremony each.
import type { Knex } from 'knex';

export interface WebauthnCredentialRow {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: string;
  sign_count: string; // bigint
  transports: string[] | null;
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

export type NewWebauthnCredential = Pick<WebauthnCredentialRow, 'id' | 'account_id' | 'credential_id' | 'public_key' | 'transports' | 'backed_up' | 'name'> & { sign_count: number };

export interface WebauthnChallengeRow {
  id: string;
  challenge: string;
  /** register: a new credential; sign_in: a passkey naming the account; second_factor: the account's own key. */
  purpose: 'register' | 'sign_in' | 'second_factor';
  account_id: string | null;
}

export function createWebauthnQueries(db: Knex) {
  return {
    /** Inserts the credential, or returns false when that credential is already registered. */
    async insertWebauthnCredential(row: NewWebauthnCredential): Promise<boolean> {
      const result = await db.raw<{ rows: unknown[] }>(
        `insert into webauthn_credentials (id, account_id, credential_id, public_key, sign_count, transports, backed_up, name)
         values (:id, :account_id, :credential_id, :public_key, :sign_count, :transports::jsonb, :backed_up, :name)
         on conflict (credential_id) do nothing returning id`,
        { ...row, transports: JSON.stringify(row.transports ?? []) },
      );
      return result.rows.length === 1;
    },

    async listWebauthnCredentials(accountId: string): Promise<WebauthnCredentialRow[]> {
      return db<WebauthnCredentialRow>('webauthn_credentials').where({ account_id: accountId }).orderBy('created_at');
    },

    async maybeFindWebauthnCredential(credentialId: string): Promise<WebauthnCredentialRow | undefined> {
      return db<WebauthnCredentialRow>('webauthn_credentials').where({ credential_id: credentialId }).first();
    },

    /**
     * Records a use with its signature counter, only if the counter moved forward (or the
     * authenticator keeps none): a cloned authenticator replaying an old count loses.
     */
    async recordWebauthnUse(id: string, signCount: number): Promise<boolean> {
      const count = await db('webauthn_credentials').where({ id })
        .where((query) => query.where('sign_count', '<', signCount).orWhere((both) => both.where('sign_count', 0).andWhere(db.raw('?::bigint = 0', [signCount]))))
        .update({ sign_count: signCount, last_used_at: db.fn.now() });
      return count === 1;
    },

    async deleteWebauthnCredentials(accountId: string): Promise<number> {
      return db('webauthn_credentials').where({ account_id: accountId }).delete();
    },

    async deleteWebauthnCredential(accountId: string, id: string): Promise<boolean> {
      return (await db('webauthn_credentials').where({ account_id: accountId, id }).delete()) === 1;
    },

    async insertWebauthnChallenge(row: WebauthnChallengeRow, ttlSeconds: number): Promise<void> {
      await db('webauthn_challenges').insert({ ...row, expires_at: db.raw('now() + make_interval(secs => ?::int)', [ttlSeconds]) });
    },

    /** Takes the challenge out: it serves one ceremony only, and not after it expired. */
    async takeWebauthnChallenge(id: string): Promise<WebauthnChallengeRow | undefined> {
      const result = await db.raw<{ rows: WebauthnChallengeRow[] }>(
        `delete from webauthn_challenges where id = ? returning id, challenge, purpose, account_id, expires_at > now() as live`,
        [id],
      );
      const row = result.rows[0] as (WebauthnChallengeRow & { live: boolean }) | undefined;
      return row?.live ? { id: row.id, challenge: row.challenge, purpose: row.purpose, account_id: row.account_id } : undefined;
    },

    async deleteExpiredWebauthnChallenges(): Promise<number> {
      return db('webauthn_challenges').where('expires_at', '<', db.raw('now()')).delete();
    },
  };
}
