// SQL for TOTP authenticators: pending enrolments, the confirmed one, and the replay guard.
import type { Knex } from 'knex';

export interface TotpFactorRow {
  id: string;
  account_id: string;
  secret_sealed: string;
  created_at: Date;
  confirmed_at: Date | null;
  last_used_step: string | null; // bigint
  last_used_at: Date | null;
}

export function createTotpFactorQueries(db: Knex) {
  return {
    /** A new set-up replaces any unconfirmed one of the account: one pending row per account at most. */
    async insertTotpFactor(row: Pick<TotpFactorRow, 'id' | 'account_id' | 'secret_sealed'>): Promise<void> {
      await db('totp_factors').where({ account_id: row.account_id }).whereNull('confirmed_at').delete();
      await db('totp_factors').insert(row);
    },

    async maybeFindTotpFactor(accountId: string, id: string): Promise<TotpFactorRow | undefined> {
      return db<TotpFactorRow>('totp_factors').where({ account_id: accountId, id }).first();
    },

    async maybeFindConfirmedTotpFactor(accountId: string): Promise<TotpFactorRow | undefined> {
      return db<TotpFactorRow>('totp_factors').where({ account_id: accountId }).whereNotNull('confirmed_at').first();
    },

    /** Makes this enrolment the account's authenticator, replacing any other. */
    async confirmTotpFactor(accountId: string, id: string, step: number): Promise<boolean> {
      await db('totp_factors').where({ account_id: accountId }).whereNot({ id }).delete();
      const count = await db('totp_factors').where({ account_id: accountId, id }).whereNull('confirmed_at')
        .update({ confirmed_at: db.fn.now(), last_used_step: step, last_used_at: db.fn.now() });
      return count === 1;
    },

    /** Records the time step used, only if it is newer than the last: of two racing uses of one code, one wins. */
    async advanceTotpStep(id: string, step: number): Promise<boolean> {
      const count = await db('totp_factors').where({ id })
        .where((query) => query.whereNull('last_used_step').orWhere('last_used_step', '<', step))
        .update({ last_used_step: step, last_used_at: db.fn.now() });
      return count === 1;
    },

    async deleteTotpFactors(accountId: string): Promise<number> {
      return db('totp_factors').where({ account_id: accountId }).delete();
    },

    /** Enrolments never confirmed within a day are abandoned. */
    async deleteAbandonedTotpFactors(): Promise<number> {
      return db('totp_factors').whereNull('confirmed_at').where('created_at', '<', db.raw("now() - interval '1 day'")).delete();
    },
  };
}
