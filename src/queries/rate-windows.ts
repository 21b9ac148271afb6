// SQL for request counters per fixed window: one row per key, counting the requests of the
// window it is in, shared by every process.
import type { Knex } from 'knex';
import { prepared } from './prepared.ts';

export function createRateWindowQueries(db: Knex) {
  return {
    /** Counts one request in the key's current window (a new one when the last is over): the count so far and when the window ends. */
    async countInWindow(key: string, windowSeconds: number): Promise<{ count: number; windowEndsAt: Date }> {
      const result = await prepared('rate_window_count', db.raw<{ rows: Array<{ count: number; window_ends_at: Date }> }>(
        `insert into rate_windows (key, count, window_ends_at) values (:key, 1, now() + make_interval(secs => :window::int))
         on conflict (key) do update set
           count = case when rate_windows.window_ends_at <= now() then 1 else rate_windows.count + 1 end,
           window_ends_at = case when rate_windows.window_ends_at <= now() then now() + make_interval(secs => :window::int)
                                 else rate_windows.window_ends_at end
         returning count, window_ends_at`,
        { key, window: windowSeconds },
      ));
      const row = result.rows[0]!;
      return { count: row.count, windowEndsAt: row.window_ends_at };
    },

    async uncountInWindow(key: string): Promise<void> {
      await db('rate_windows').where({ key }).andWhere('count', '>', 0).decrement('count', 1);
    },

    async deleteEndedRateWindows(): Promise<number> {
      return db('rate_windows').where('window_ends_at', '<', db.fn.now()).delete();
    },
  };
}
