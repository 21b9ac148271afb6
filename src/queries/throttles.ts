// SQL for throttles: failure counters keyed by what is being throttled (an IP, an account …).
import type { Knex } from 'knex';

export interface ThrottleRule {
  /** Failures allowed before the first block. */
  limit: number;
  /** First block, doubled with every further failure. */
  blockSeconds: number;
  /** Longest block: the lockout is always temporary. */
  maxBlockSeconds: number;
  /** A key with no failure for this long starts again from zero. */
  quietSeconds: number;
}

export function createThrottleQueries(db: Knex) {
  return {
    /** The latest moment any of the keys is blocked until, if one is blocked now. */
    async maybeFindBlockedUntil(keys: string[]): Promise<Date | undefined> {
      const row = await db('throttles').max({ until: 'blocked_until' })
        .whereIn('key', keys).andWhere('blocked_until', '>', db.fn.now()).first();
      return row?.until ?? undefined;
    },

    async recordThrottleFailure(key: string, rule: ThrottleRule): Promise<{ failures: number; blockedUntil: Date | null }> {
      const failures = `(case when throttles.updated_at < now() - make_interval(secs => :quiet::int) then 1 else throttles.failures + 1 end)`;
      const blockFor = (count: string) =>
        `case when ${count} >= :limit::int
           then now() + make_interval(secs => least(:max::float8, :block::float8 * power(2, ${count} - :limit::int)))
           else null end`;
      const result = await db.raw<{ rows: Array<{ failures: number; blocked_until: Date | null }> }>(
        `insert into throttles (key, failures, blocked_until, updated_at)
         values (:key, 1, ${blockFor('1')}, now())
         on conflict (key) do update set
           failures = ${failures},
           blocked_until = ${blockFor(failures)},
           updated_at = now()
         returning failures, blocked_until`,
        { key, limit: rule.limit, block: rule.blockSeconds, max: rule.maxBlockSeconds, quiet: rule.quietSeconds },
      );
      const row = result.rows[0]!;
      return { failures: row.failures, blockedUntil: row.blocked_until };
    },

    async clearThrottle(key: string): Promise<void> {
      await db('throttles').where({ key }).delete();
    },

    async deleteQuietThrottles(olderThanSeconds: number): Promise<number> {
      return db('throttles').whereRaw('updated_at < now() - make_interval(secs => ?::int)', [olderThanSeconds]).delete();
    },
  };
}
