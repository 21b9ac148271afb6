// The one way an outbox row is leased (mail, back-channel logouts): due, not done, held by nobody.
import type { Knex } from 'knex';

/**
 * Leases up to `limit` due rows of `table` that nobody else holds, counting the attempt, in one
 * statement: rows another worker is claiming at the same moment are skipped, not shared. A
 * worker that dies mid-delivery loses its lease after `leaseSeconds` and the row is retried.
 * `doneColumn` is set once a row is delivered. Rows never tried come first: a backlog of
 * retries (an application or mail server that keeps failing) does not hold back new ones.
 */
export async function leaseDueRows<Row>(db: Knex, table: 'mail_outbox' | 'backchannel_logouts', doneColumn: 'sent_at' | 'delivered_at', limit: number, leaseSeconds: number): Promise<Row[]> {
  const result = await db.raw<{ rows: Row[] }>(
    `update ?? set attempts = attempts + 1, locked_until = now() + make_interval(secs => ?::int)
     where id in (
       select id from ??
       where ?? is null and next_attempt_at <= now() and (locked_until is null or locked_until <= now())
       order by attempts > 0, next_attempt_at
       limit ?::int
       for update skip locked
     )
     returning *`,
    [table, leaseSeconds, table, doneColumn, limit],
  );
  return result.rows;
}
