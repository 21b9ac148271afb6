// SQL for backchannel_logouts: logout tokens owed to applications, leased by one worker at a
// time (for update skip locked) so that with several processes each is delivered once.
import type { Knex } from 'knex';
import { leaseDueRows } from './outbox-lease.ts';

export interface BackchannelLogoutRow {
  id: string;
  client_id: string;
  account_id: string;
  sid: string | null;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date | null;
  locked_until: Date | null;
  delivered_at: Date | null;
  last_error: string | null;
}

/** An application a person was signed in to, and the session id it knows (sid), if any. */
export interface SignedInApplication {
  clientId: string;
  sid: string | null;
}

export function createBackchannelLogoutQueries(db: Knex) {
  return {
    /**
     * Queues a logout for each application that registered a back-channel logout URI, due at
     * once: one per session for an application that asked for sids, one in all (sub only)
     * for one that did not, never a sid-less one for an application that needs a sid.
     * Returns how many were queued.
     */
    async queueBackchannelLogouts(accountId: string, signedIn: SignedInApplication[]): Promise<number> {
      if (!signedIn.length) return 0;
      const result = await db.raw<{ rowCount?: number }>(
        `insert into backchannel_logouts (id, client_id, account_id, sid, next_attempt_at)
         select gen_random_uuid(), client_id, :account, sid, now() from (
           select distinct c.client_id, case when coalesce((c.metadata->>'backchannel_logout_session_required')::boolean, false) then t.sid end as sid
           from jsonb_to_recordset(:signedIn::jsonb) as t ("clientId" text, sid text)
           join clients c on c.client_id = t."clientId"
           where c.metadata->>'backchannel_logout_uri' is not null
             and (t.sid is not null or not coalesce((c.metadata->>'backchannel_logout_session_required')::boolean, false))
         ) owed`,
        { account: accountId, signedIn: JSON.stringify(signedIn) },
      );
      return result.rowCount ?? 0;
    },

    /** Leases up to `limit` due logouts nobody else holds, counting the attempt (see outbox-lease.ts). */
    claimDueBackchannelLogouts: (limit: number, leaseSeconds: number) =>
      leaseDueRows<BackchannelLogoutRow>(db, 'backchannel_logouts', 'delivered_at', limit, leaseSeconds),

    async markBackchannelLogoutDelivered(id: string): Promise<void> {
      await db('backchannel_logouts').where({ id }).update({ delivered_at: db.fn.now(), next_attempt_at: null, locked_until: null, last_error: null });
    },

    /** Schedules the next attempt, or with `retryInSeconds` null gives up. */
    async markBackchannelLogoutFailed(id: string, retryInSeconds: number | null, error: string): Promise<void> {
      await db('backchannel_logouts').where({ id }).update({
        next_attempt_at: retryInSeconds === null ? null : db.raw('now() + make_interval(secs => ?::int)', [retryInSeconds]),
        locked_until: null,
        last_error: error.slice(0, 500),
      });
    },

    /** Deletes logouts delivered or given up more than `olderThanSeconds` ago. */
    async deleteOldBackchannelLogouts(olderThanSeconds: number): Promise<number> {
      return db('backchannel_logouts')
        .whereRaw('delivered_at < now() - make_interval(secs => ?::int)', [olderThanSeconds])
        .orWhereRaw('delivered_at is null and next_attempt_at is null and created_at < now() - make_interval(secs => ?::int)', [olderThanSeconds])
        .delete();
    },
  };
}
