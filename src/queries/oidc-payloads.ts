// SQL for oidc_payloads: the persistence behind oidc-provider's adapter.
import type { Knex } from 'knex';

export interface StoredPayload {
  payload: Record<string, unknown>;
  consumedAt: Date | null;
}

export interface PayloadLookups {
  grantId?: string | undefined;
  uid?: string | undefined;
  userCode?: string | undefined;
  accountId?: string | undefined;
}

const live = 'expires_at is null or expires_at > now()';

export function createOidcPayloadQueries(db: Knex) {
  async function maybeFindWhere(where: Record<string, string>): Promise<StoredPayload | undefined> {
    const row = await db('oidc_payloads').select('payload', 'consumed_at').where(where).andWhereRaw(`(${live})`).first();
    return row && { payload: row.payload, consumedAt: row.consumed_at };
  }

  return {
    async upsertPayload(model: string, id: string, payload: object, expiresInSeconds: number | undefined, lookups: PayloadLookups): Promise<void> {
      await db.raw(
        `insert into oidc_payloads (model, id, payload, grant_id, uid, user_code, account_id, expires_at)
         values (:model, :id, :payload, :grantId, :uid, :userCode, :accountId,
                 case when :expiresIn::int is null then null else now() + make_interval(secs => :expiresIn::int) end)
         on conflict (model, id) do update set
           payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
           user_code = excluded.user_code, account_id = excluded.account_id, expires_at = excluded.expires_at`,
        {
          model, id, payload: JSON.stringify(payload), expiresIn: expiresInSeconds ?? null,
          grantId: lookups.grantId ?? null, uid: lookups.uid ?? null, userCode: lookups.userCode ?? null, accountId: lookups.accountId ?? null,
        },
      );
    },

    maybeFindPayload: (model: string, id: string) => maybeFindWhere({ model, id }),
    maybeFindPayloadByUid: (model: string, uid: string) => maybeFindWhere({ model, uid }),
    maybeFindPayloadByUserCode: (model: string, userCode: string) => maybeFindWhere({ model, user_code: userCode }),

    /** Marks the payload consumed; true only for the one caller that consumed it first. */
    async consumePayload(model: string, id: string): Promise<boolean> {
      const count = await db('oidc_payloads').where({ model, id }).whereNull('consumed_at').update({ consumed_at: db.fn.now() });
      return count > 0;
    },

    async deletePayload(model: string, id: string): Promise<void> {
      await db('oidc_payloads').where({ model, id }).delete();
    },

    async deletePayloadsByGrantId(model: string, grantId: string): Promise<void> {
      await db('oidc_payloads').where({ model, grant_id: grantId }).delete();
    },

    /** Ends every session, grant and token of an account. */
    async deletePayloadsByAccountId(accountId: string): Promise<number> {
      return db('oidc_payloads').where({ account_id: accountId }).delete();
    },

    async deleteExpiredPayloads(limit: number): Promise<number> {
      const result = await db.raw<{ rowCount?: number; rows: unknown[] }>(
        `delete from oidc_payloads where ctid in (
           select ctid from oidc_payloads where expires_at < now() limit ?)`,
        [limit],
      );
      return result.rowCount ?? 0;
    },
  };
}
