// SQL for throttles: failure counters keyed by what is being throttled (an IP, an account …).
import type { Knex } from 'knex';
import { prepared } from './prepared.ts';

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
     * The latest moment one of the keys is blocked until, if one is blocked now, and whether any
     * of them counts failures (else there is nothing to reset); no lock (a check before the work).
     */
    async findThrottleState(keys: string[]): Promise<{ blockedUntil: Date | undefined; counting: boolean }> {
      const row = await prepared('throttle_state', db('throttles').whereRaw('key = any(?::text[])', [keys])
        .select(db.raw('max(blocked_until) filter (where blocked_until > now()) as until'), db.raw('coalesce(max(failures), 0) > 0 as counting'))
        .first()) as { until: Date | null; counting: boolean } | undefined;
      return { blockedUntil: row?.until ?? undefined, counting: Boolean(row?.counting) };
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

    /** Success: the keys' counts start again (rows stay: rows that come and go would race). */
    async resetThrottles(keys: string[]): Promise<void> {
      await prepared('throttle_reset', db('throttles').whereRaw('key = any(?::text[])', [keys]).andWhere((query) => query.where('failures', '>', 0).orWhereNotNull('blocked_until'))
        .update({ failures: 0, blocked_until: null, updated_at: db.fn.now() }));
    },

    async deleteQuietThrottles(olderThanSeconds: number): Promise<number> {
      return db('throttles').whereRaw('updated_at < now() - make_interval(secs => ?::int)', [olderThanSeconds]).delete();
    },
  };
}
