// SQL for signing_keys: the provider's token signing keys and their schedule.
import type { Knex } from 'knex';

export interface SigningKeyRow {
  kid: string;
  alg: string;
  private_jwk_sealed: string;
  created_at: Date;
  activates_at: Date;
  expires_at: Date | null;
}

export type NewSigningKey = Pick<SigningKeyRow, 'kid' | 'alg' | 'private_jwk_sealed'>;

export function createSigningKeyQueries(db: Knex) {
  return {
    /** Keys still published, newest activation first, with the database's clock. */
    async listPublishedSigningKeys(): Promise<{ keys: SigningKeyRow[]; now: Date }> {
      const result = await db.raw<{ rows: Array<SigningKeyRow & { now: Date }> }>(
        `select *, now() as now from signing_keys
         where expires_at is null or expires_at > now()
         order by activates_at desc, created_at desc, kid`,
      );
      const now = result.rows[0]?.now ?? new Date();
      return { keys: result.rows.map(({ now: _now, ...key }) => key), now };
    },

    async insertSigningKey(key: NewSigningKey, activatesInSeconds: number): Promise<void> {
      await db.raw(
        `insert into signing_keys (kid, alg, private_jwk_sealed, activates_at)
         values (:kid, :alg, :sealed, now() + make_interval(secs => :delay::int))`,
        { kid: key.kid, alg: key.alg, sealed: key.private_jwk_sealed, delay: activatesInSeconds },
      );
    },

    /** Holds off other processes' key changes until the transaction ends. */
    async lockSigningKeys(): Promise<void> {
      await db.raw('lock table signing_keys in exclusive mode');
    },

    /** Drops keys of alg that are published but have never signed (a rotation superseded them). */
    async deletePendingSigningKeys(alg: string): Promise<void> {
      await db('signing_keys').where({ alg }).andWhere('activates_at', '>', db.fn.now()).delete();
    },

    async setSigningKeyExpiry(kids: string[], publishedForSeconds: number): Promise<void> {
      if (!kids.length) return;
      await db('signing_keys').whereIn('kid', kids)
        .update({ expires_at: db.raw('now() + make_interval(secs => ?::int)', [publishedForSeconds]) });
    },

    async deleteExpiredSigningKeys(): Promise<number> {
      return db('signing_keys').where('expires_at', '<', db.fn.now()).delete();
    },
  };
}
