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
    /**
     * Locks the keys' rows (in key order, as every caller does) until the transaction ends,
     * and returns the latest moment one of them is blocked until, if one is blocked now.
     */
    async lockBlockedUntil(keys: string[]): Promise<Date | undefined> {
      const rows = await db('throttles').select('blocked_until', db.raw('blocked_until > now() as blocked'))
        .whereIn('key', keys).orderBy('key').forUpdate() as Array<{ blocked_until: Date | null; blocked: boolean | null }>;
      const blocked = rows.filter((row) => row.blocked).map((row) => row.blocked_until!.getTime());
      return blocked.length ? new Date(Math.max(...blocked)) : undefined;
    },

    /** The latest moment one of the keys is blocked until, if one is blocked now; no lock (a check before the work). */
    async maybeBlockedUntil(keys: string[]): Promise<Date | undefined> {
      const row = await db('throttles').max('blocked_until as until').whereIn('key', keys).andWhere('blocked_until', '>', db.fn.now()).first() as
        { until: Date | null } | undefined;
      return row?.until ?? undefined;
    },

    async recordThrottleFailure(key: string, rule: ThrottleRule): Promise<void> {
      const failures = `(case when throttles.updated_at < now() - make_interval(secs => :quiet::int) then 1 else throttles.failures + 1 end)`;
      // The exponent is capped: 2^20 blocks already exceed any sensible longest block.
      const blockFor = (count: string) =>
        `case when ${count} >= :limit::int
           then now() + make_interval(secs => least(:max::float8, :block::float8 * power(2, least(${count} - :limit::int, 20))))
           else null end`;
      await db.raw(
        `insert into throttles (key, failures, blocked_until, updated_at)
         values (:key, 1, ${blockFor('1')}, now())
         on conflict (key) do update set
           failures = ${failures},
           blocked_until = ${blockFor(failures)},
           updated_at = now()`,
        { key, limit: rule.limit, block: rule.blockSeconds, max: rule.maxBlockSeconds, quiet: rule.quietSeconds },
      );
    },

    /** Takes back one counted failure (the attempt succeeded), lifting a block it caused. */
    async refundThrottleFailure(key: string, rule: ThrottleRule): Promise<void> {
      await db.raw(
        `update throttles set failures = greatest(failures - 1, 0),
           blocked_until = case when failures - 1 < :limit::int then null else blocked_until end
         where key = :key`,
        { key, limit: rule.limit },
      );
    },

    async clearThrottle(key: string): Promise<void> {
      await db('throttles').where({ key }).delete();
    },

    async deleteQuietThrottles(olderThanSeconds: number): Promise<number> {
      return db('throttles').whereRaw('updated_at < now() - make_interval(secs => ?::int)', [olderThanSeconds]).delete();
    },
  };
}
