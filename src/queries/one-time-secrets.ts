// SQL for one-time secrets sent by mail: issue, find the live one, count attempts, consume.
import type { Knex } from 'knex';

export type OneTimePurpose = 'verify_email' | 'reset_password' | 'sign_in' | 'undo_security_change' | 'change_email' | 'undo_email_change';
export type OneTimeKind = 'link' | 'code';

export interface OneTimeSecretRow {
  id: string;
  purpose: OneTimePurpose;
  kind: OneTimeKind;
  account_id: string | null;
  email: string;
  secret_hash: string;
  attempts: number;
  created_at: Date;
  expires_at: Date;
  consumed_at: Date | null;
  /** What the secret is about beyond its account and address (the change an undo link undoes). */
  details: Record<string, unknown> | null;
}

export type NewOneTimeSecret = Pick<OneTimeSecretRow, 'id' | 'purpose' | 'kind' | 'account_id' | 'email' | 'secret_hash'>
  & { ttlSeconds: number; details?: Record<string, unknown> };

export function createOneTimeSecretQueries(db: Knex) {
  const live = (query: Knex.QueryBuilder) => query.whereNull('consumed_at').where('expires_at', '>', db.raw('now()'));
  return {
    async insertOneTimeSecret({ ttlSeconds, details, ...secret }: NewOneTimeSecret): Promise<void> {
      await db('one_time_secrets').insert({
        ...secret, details: details ? JSON.stringify(details) : null, expires_at: db.raw('now() + make_interval(secs => ?::int)', [ttlSeconds]),
      });
    },

    /** The live link with this hash. */
    async maybeFindLiveLink(purpose: OneTimePurpose, secretHash: string): Promise<OneTimeSecretRow | undefined> {
      return live(db('one_time_secrets').where({ purpose, kind: 'link', secret_hash: secretHash })).first();
    },

    /** The newest live code for this address and purpose (older ones were retired when it was sent). */
    async maybeFindLiveCode(purpose: OneTimePurpose, email: string): Promise<OneTimeSecretRow | undefined> {
      return live(db('one_time_secrets').where({ purpose, kind: 'code', email }))
        .orderBy('created_at', 'desc').first();
    },

    async countCodeAttempt(id: string): Promise<number> {
      const [row] = await db('one_time_secrets').where({ id }).increment('attempts', 1).returning('attempts') as Array<{ attempts: number }>;
      return row?.attempts ?? 0;
    },

    /** Uses the secret up; false when it was already used or has expired (so exactly one use wins). */
    async consumeOneTimeSecret(id: string): Promise<boolean> {
      return (await live(db('one_time_secrets').where({ id })).update({ consumed_at: db.fn.now() })) === 1;
    },

    /** Uses up every live secret of this purpose for the address: a link and a code sent together die together. */
    async consumeOneTimeSecrets(purpose: OneTimePurpose, email: string, kind?: OneTimeKind): Promise<void> {
      await live(db('one_time_secrets').where({ purpose, email, ...(kind ? { kind } : {}) })).update({ consumed_at: db.fn.now() });
    },

    /**
     * Every link and code issued for the account (its address changed: they were mailed to the old
     * one), but those of the `keep` purposes issued before `keep.before` (by default: all of them).
     */
    async deleteOneTimeSecretsOfAccount(accountId: string, keep?: { purposes: OneTimePurpose[]; before?: Date }): Promise<number> {
      const query = db('one_time_secrets').where({ account_id: accountId });
      if (keep) query.whereNot((kept) => { kept.whereIn('purpose', keep.purposes); if (keep.before) kept.where('created_at', '<', keep.before); });
      return query.delete();
    },

    /** Whether the account has a live, unused secret of this purpose (a pending undo link, say). */
    async hasLiveSecretOfAccount(accountId: string, purpose: OneTimePurpose): Promise<boolean> {
      const row = await db('one_time_secrets').select('id').where({ account_id: accountId, purpose }).whereNull('consumed_at').andWhere('expires_at', '>', db.fn.now()).first();
      return row !== undefined;
    },

    async deleteExpiredOneTimeSecrets(): Promise<number> {
      return db('one_time_secrets').where('expires_at', '<', db.raw("now() - interval '1 day'")).delete();
    },
  };
}
