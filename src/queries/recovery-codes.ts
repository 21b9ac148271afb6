// SQL for recovery codes: a set of keyed hashes per account, each usable once.
import type { Knex } from 'knex';

export function createRecoveryCodeQueries(db: Knex) {
  return {
    /** Replaces the account's codes with a new set: the old ones stop working. */
    async replaceRecoveryCodes(accountId: string, rows: Array<{ id: string; code_hash: string }>): Promise<void> {
      await db('recovery_codes').where({ account_id: accountId }).delete();
      await db('recovery_codes').insert(rows.map((row) => ({ ...row, account_id: accountId })));
    },

    /** Uses the code up; false when it is not one of the account's unused codes. */
    async useRecoveryCode(accountId: string, codeHash: string): Promise<boolean> {
      const count = await db('recovery_codes').where({ account_id: accountId, code_hash: codeHash }).whereNull('used_at')
        .update({ used_at: db.fn.now() });
      return count === 1;
    },

    async countUnusedRecoveryCodes(accountId: string): Promise<number> {
      const row = await db('recovery_codes').where({ account_id: accountId }).whereNull('used_at').count('* as n').first() as { n: string | number } | undefined;
      return Number(row?.n ?? 0);
    },

    async deleteRecoveryCodes(accountId: string): Promise<void> {
      await db('recovery_codes').where({ account_id: accountId }).delete();
    },
  };
}
