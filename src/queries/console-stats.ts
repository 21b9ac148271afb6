// SQL for the console's overview: a few counts, each one statement that reads what an index
// narrows (accounts, the audit log's occurred_at) or a small table. The outbox's health is the
// mail outbox's own query (queries/mail-outbox.ts), which the metrics read too.
import type { Knex } from 'knex';

export interface AccountCounts {
  total: number;
  /** Made since the `newSince` given. */
  recent: number;
  /** Signed in to an application since the `activeSince` given, with a factor or a session they had. */
  active: number;
}

export interface SignInDay {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  succeeded: number;
  failed: number;
}

export function createConsoleStatQueries(db: Knex) {
  return {
    /**
     * "Active": the last finished sign-in (accounts.last_login_at), or a session saved or marked
     * active since then (signing in to an application through a session one already has; any
     * request of the browser: libraries/session-activity.ts) (an
     * account's sessions go with it, so every session's account exists). Counting all accounts
     * and those active reads the whole table: last_login_at has no index, and a count needs none.
     */
    async countAccounts({ newSince, activeSince }: { newSince: Date; activeSince: Date }): Promise<AccountCounts> {
      const result = await db.raw<{ rows: Array<{ total: number; recent: number; active: number }> }>(
        `select (select count(*) from accounts)::int as total,
                (select count(*) from accounts where created_at >= :newSince)::int as recent,
                (select count(*) from (
                   select id::text from accounts where last_login_at >= :activeSince
                   union
                   select account_id from oidc_payloads
                   where model = 'Session' and saved_at >= :activeSince and account_id is not null
                 ) as active)::int as active`,
        { newSince, activeSince },
      );
      const row = result.rows[0]!;
      return { total: Number(row.total), recent: Number(row.recent), active: Number(row.active) };
    },

    /** Finished and refused sign-ins per UTC day since `since` (days without any are absent). */
    async countSignInsByDay(since: Date): Promise<SignInDay[]> {
      const result = await db.raw<{ rows: Array<{ day: string; succeeded: number; failed: number }> }>(
        `select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day,
                (count(*) filter (where type = 'sign_in.succeeded'))::int as succeeded,
                (count(*) filter (where type = 'sign_in.failed'))::int as failed
         from audit_events
         where occurred_at >= ? and type in ('sign_in.succeeded', 'sign_in.failed')
         group by 1 order by 1`,
        [since],
      );
      return result.rows.map((row) => ({ day: row.day, succeeded: Number(row.succeeded), failed: Number(row.failed) }));
    },
  };
}
