// SQL for oidc_payloads: the persistence behind oidc-provider's adapter. Ids arrive here
// already digested by the adapter.
import type { Knex } from 'knex';
import { ACCOUNT_COLUMNS, HAS_SECOND_FACTOR, type SigningInAccount } from './accounts.ts';
import { prepared } from './prepared.ts';

export interface StoredPayload {
  payload: Record<string, unknown>;
  consumedAt: Date | null;
}

export interface PayloadLookups {
  grantId?: string | undefined;
  uid?: string | undefined;
  userCode?: string | undefined;
  accountId?: string | undefined;
  clientId?: string | undefined;
}

/** A record to delete, by model and (digested) id. */
export interface PayloadKey {
  model: string;
  id: string;
}

export interface PayloadWrite {
  model: string;
  id: string;
  payload: object;
  expiresInSeconds: number | undefined;
  lookups: PayloadLookups;
  /** A rewrite of a record the writer read: if it was deleted meanwhile (a sign-out), it stays deleted. */
  onlyIfPresent?: boolean;
}

const live = 'expires_at is null or expires_at > now()';
/** The same, of one table of a join. */
const liveIn = (table: string) => `(${table}.expires_at is null or ${table}.expires_at > now())`;

/** account_id as the accounts' key (only an id Postgres can compare as one). */
const ACCOUNT_ID_OF_RECORD = `case when p.account_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then p.account_id::uuid end`;

type RecordWithAccountRow = Partial<SigningInAccount> & { record_payload: Record<string, unknown>; record_consumed_at: Date | null };
type JsonRecord = { payload: Record<string, unknown>; consumed_at: string | null };

function splitRecordAndAccount(row: RecordWithAccountRow | undefined): { stored?: StoredPayload; account?: SigningInAccount } {
  if (!row) return {};
  const { record_payload: payload, record_consumed_at: consumedAt, ...account } = row;
  return { stored: { payload, consumedAt }, ...(account.id ? { account: account as SigningInAccount } : {}) };
}

/** Postgres text cannot hold U+0000: a lookup value containing it matches nothing. */
const unstorable = (value: string) => value.includes('\0');

/** jsonb cannot hold U+0000 either; in a stored payload it becomes U+FFFD (it only ever comes from junk input). */
const storableJson = (payload: object) =>
  JSON.stringify(payload).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd'); // an escape, not an escaped backslash

export function createOidcPayloadQueries(db: Knex) {
  async function maybeFindWhere(where: Record<string, string>): Promise<StoredPayload | undefined> {
    if (Object.values(where).some(unstorable)) return undefined;
    const row = await prepared(`payload_by_${Object.keys(where).join('_')}`,
      db('oidc_payloads').select('payload', 'consumed_at').where(where).andWhereRaw(`(${live})`).first());
    return row && { payload: row.payload, consumedAt: row.consumed_at };
  }

  return {
    /**
     * Writes payloads, and deletes others, in one statement (the adapter gathers those of
     * concurrent requests, and a request's own until its answer). A row marked onlyIfPresent is
     * only updated: a record deleted since its writer read it is not brought back. One row per
     * (model, id), and none both written and deleted: Postgres changes a row once per statement.
     */
    async upsertPayloads(rows: PayloadWrite[], deletions: PayloadKey[] = []): Promise<void> {
      const lookup = (value: string | undefined) => (value === undefined || unstorable(value) ? null : value);
      const asRow = (row: PayloadWrite) => ({
        model: row.model, id: row.id, payload: row.payload, expires_in: row.expiresInSeconds ?? null,
        grant_id: lookup(row.lookups.grantId), uid: lookup(row.lookups.uid), user_code: lookup(row.lookups.userCode),
        account_id: lookup(row.lookups.accountId), client_id: lookup(row.lookups.clientId),
      });
      const columns = 'model text, id text, payload jsonb, grant_id text, uid text, user_code text, account_id text, client_id text, expires_in int';
      const expiresAt = (row: string) => `case when ${row}.expires_in is null then null else now() + make_interval(secs => ${row}.expires_in) end`;
      // The rows travel as JSON parameters, whatever their number. The deletions run first (the
      // insert waits for their count): a new session record may take an old one's uid.
      await prepared('payloads_write', db.raw(
        `with deleted as (
           delete from oidc_payloads where (model, id) in (select model, id from jsonb_to_recordset(?::jsonb) as gone (model text, id text))
           returning 1),
         rewritten as (
           update oidc_payloads set payload = kept.payload, grant_id = kept.grant_id, uid = kept.uid, user_code = kept.user_code,
             account_id = kept.account_id, client_id = kept.client_id, expires_at = ${expiresAt('kept')}, saved_at = now()
           from jsonb_to_recordset(?::jsonb) as kept (${columns})
           where oidc_payloads.model = kept.model and oidc_payloads.id = kept.id)
         insert into oidc_payloads (model, id, payload, grant_id, uid, user_code, account_id, client_id, expires_at, saved_at)
         select model, id, payload, grant_id, uid, user_code, account_id, client_id, ${expiresAt('written')}, now()
         from jsonb_to_recordset(?::jsonb) as written (${columns})
         where (select count(*) from deleted) >= 0
         on conflict (model, id) do update set
           payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid, user_code = excluded.user_code,
           account_id = excluded.account_id, client_id = excluded.client_id, expires_at = excluded.expires_at, saved_at = excluded.saved_at`,
        [
          storableJson(deletions.filter((row) => !unstorable(row.id)).map(({ model, id }) => ({ model, id }))),
          storableJson(rows.filter((row) => row.onlyIfPresent).map(asRow)),
          storableJson(rows.filter((row) => !row.onlyIfPresent).map(asRow)),
        ],
      ));
    },

    maybeFindPayload: (model: string, id: string) => maybeFindWhere({ model, id }),

    /**
     * The initial access tokens for dynamic registration that are still live, soonest to expire
     * first. The provider keeps them with its other tokens (oidc_payloads), by digest only.
     */
    async listLiveInitialAccessTokens(): Promise<Array<{ issued_at: Date; expires_at: Date }>> {
      const result = await db.raw<{ rows: Array<{ issued_at: Date; expires_at: Date }> }>(
        `select to_timestamp((payload->>'iat')::bigint) as issued_at, expires_at from oidc_payloads
         where model = 'InitialAccessToken' and expires_at > now() order by expires_at, issued_at`);
      return result.rows;
    },

    /** Marks a live session active now, unless it was marked within `seconds` (by any process). */
    async touchSession(id: string, seconds: number): Promise<void> {
      await db('oidc_payloads').where({ model: 'Session', id })
        .andWhereRaw('(saved_at is null or saved_at < now() - make_interval(secs => ?))', [seconds])
        .andWhereRaw('(expires_at is null or expires_at > now())')
        .update({ saved_at: db.fn.now() });
    },

    /**
     * For each id, its live payloads under any of `models` (a token looked up as each kind in
     * turn), in one statement for all ids (the adapter gathers those of concurrent requests).
     */
    async findPayloadsOfModels(models: string[], ids: readonly string[]): Promise<Array<Map<string, StoredPayload>>> {
      // Arrays, not lists: one text (one prepared statement) whatever the number of ids.
      const rows = await prepared('payloads_of_models', db('oidc_payloads').select('model', 'id', 'payload', 'consumed_at')
        .whereRaw('model = any(?::text[]) and id = any(?::text[])', [models, [...ids]]).andWhereRaw(`(${live})`)) as
        Array<{ model: string; id: string; payload: Record<string, unknown>; consumed_at: Date | null }>;
      const found = new Map(ids.map((id) => [id, new Map<string, StoredPayload>()]));
      for (const row of rows) found.get(row.id)!.set(row.model, { payload: row.payload, consumedAt: row.consumed_at });
      return ids.map((id) => found.get(id)!);
    },
    /**
     * A record with the account it names (its account_id), which the request reading the record
     * goes on to ask for (an interaction's, at the return to the application): one statement.
     */
    async maybeFindPayloadWithAccount(model: string, id: string): Promise<{ stored?: StoredPayload; account?: SigningInAccount }> {
      const result = await prepared('payload_with_account', db.raw<{ rows: RecordWithAccountRow[] }>(
        `select p.payload as record_payload, p.consumed_at as record_consumed_at, ${ACCOUNT_COLUMNS}, ${HAS_SECOND_FACTOR}
         from oidc_payloads p left join accounts on accounts.id = ${ACCOUNT_ID_OF_RECORD}
         where p.model = :model and p.id = :id and ${liveIn('p')}`,
        { model, id },
      ));
      return splitRecordAndAccount(result.rows[0]);
    },

    /**
     * An authorization code, with the session and grant it was issued under and the account it
     * was issued to (the token endpoint reads all four): one statement. The grant's stored id is
     * the digest of its id, as the adapter's (SHA-256, base64url).
     */
    async findCodeWithContext(id: string): Promise<{ stored?: StoredPayload; account?: SigningInAccount; session?: StoredPayload; grant?: StoredPayload }> {
      const result = await prepared('code_with_context', db.raw<{ rows: Array<RecordWithAccountRow & { session: JsonRecord | null; grant: JsonRecord | null }> }>(
        `select p.payload as record_payload, p.consumed_at as record_consumed_at,
           (select jsonb_build_object('payload', s.payload, 'consumed_at', s.consumed_at) from oidc_payloads s
            where s.model = 'Session' and s.uid = p.payload->>'sessionUid' and ${liveIn('s')}) as session,
           (select jsonb_build_object('payload', g.payload, 'consumed_at', g.consumed_at) from oidc_payloads g
            where g.model = 'Grant' and g.id = translate(encode(sha256(convert_to(p.payload->>'grantId', 'UTF8')), 'base64'), '+/=', '-_')
              and ${liveIn('g')}) as grant,
           ${ACCOUNT_COLUMNS}, ${HAS_SECOND_FACTOR}
         from oidc_payloads p left join accounts on accounts.id = ${ACCOUNT_ID_OF_RECORD}
         where p.model = 'AuthorizationCode' and p.id = :id and ${liveIn('p')}`,
        { id },
      ));
      const row = result.rows[0];
      if (!row) return {};
      const fromJson = (part: JsonRecord | null) => part ? { payload: part.payload, consumedAt: part.consumed_at ? new Date(part.consumed_at) : null } : undefined;
      const { session, grant, ...rest } = row;
      return { ...splitRecordAndAccount(rest), session: fromJson(session), grant: fromJson(grant) };
    },

    maybeFindPayloadByUid: (model: string, uid: string) => maybeFindWhere({ model, uid }),
    maybeFindPayloadByUserCode: (model: string, userCode: string) => maybeFindWhere({ model, user_code: userCode }),

    /** Marks the payload consumed; true only for the one caller that consumed it first. */
    async consumePayload(model: string, id: string): Promise<boolean> {
      const count = await prepared('payload_consume', db('oidc_payloads').where({ model, id }).whereNull('consumed_at').update({ consumed_at: db.fn.now() }));
      return count > 0;
    },

    async maybeFindGrantIdOf(model: string, id: string): Promise<string | undefined> {
      const row = await db('oidc_payloads').select('grant_id').where({ model, id }).first();
      return row?.grant_id ?? undefined;
    },

    async deletePayloadsByGrantId(model: string, grantId: string): Promise<void> {
      if (unstorable(grantId)) return;
      await db('oidc_payloads').where({ model, grant_id: grantId }).delete();
    },

    /** Revokes a grant outright: the grant record and everything issued under it. */
    async deleteGrant(grantRecordId: string, grantId: string): Promise<void> {
      await db('oidc_payloads').where({ model: 'Grant', id: grantRecordId }).orWhere({ grant_id: grantId }).delete();
    },

    /** Ends every session, grant and token of an account. */
    async deletePayloadsByAccountId(accountId: string): Promise<number> {
      return db('oidc_payloads').where({ account_id: accountId }).delete();
    },

    /** Revokes what one account holds from one client: grants, codes and tokens (its sessions stay). */
    async deletePayloadsByAccountAndClient(accountId: string, clientId: string): Promise<number> {
      return db('oidc_payloads').where({ account_id: accountId, client_id: clientId }).delete();
    },

    /** The account's live records of one model (its sessions, its grants), newest to expire last; `id` is the stored digest. */
    async listLivePayloadsOfAccount(model: string, accountId: string): Promise<Array<{ id: string; payload: Record<string, unknown>; expiresAt: Date | null; savedAt: Date | null }>> {
      const rows = await db('oidc_payloads').select('id', 'payload', 'expires_at', 'saved_at').where({ model, account_id: accountId }).andWhereRaw(`(${live})`)
        .orderBy('expires_at', 'desc') as Array<{ id: string; payload: Record<string, unknown>; expires_at: Date | null; saved_at: Date | null }>;
      return rows.map((row) => ({ id: row.id, payload: row.payload, expiresAt: row.expires_at, savedAt: row.saved_at }));
    },

    /** The (client, sid, grant) of every live code and token the account holds: who may still think the person is signed in. */
    async listTokenHoldersOfAccount(accountId: string): Promise<Array<{ clientId: string; sid: string | null; grantId: string | null }>> {
      const rows = await db('oidc_payloads').distinct('client_id', db.raw(`payload->>'sid' as sid`), 'grant_id')
        .where({ account_id: accountId }).whereIn('model', ['AuthorizationCode', 'AccessToken', 'RefreshToken']).whereNotNull('client_id')
        .andWhereRaw(`(${live})`) as Array<{ client_id: string; sid: string | null; grant_id: string | null }>;
      return rows.map((row) => ({ clientId: row.client_id, sid: row.sid, grantId: row.grant_id }));
    },

    /** Ends one session, its grants (`recordIds`: the Grant rows' ids) and everything issued under them (`ids`). */
    async deleteSessionAndGrants(accountId: string, sessionId: string, grants: { ids: string[]; recordIds: string[] }): Promise<number> {
      return db('oidc_payloads').where({ account_id: accountId })
        .andWhere((q) => q.where({ model: 'Session', id: sessionId })
          .orWhere((grant) => grant.where({ model: 'Grant' }).whereIn('id', grants.recordIds))
          .orWhereIn('grant_id', grants.ids.filter((id) => !unstorable(id))))
        .delete();
    },

    /** Ends every session, grant and token of an account except one session, its grants and what they issued. */
    async deletePayloadsOfAccountExcept(accountId: string, keptSessionId: string, kept: { ids: string[]; recordIds: string[] }): Promise<number> {
      return db('oidc_payloads').where({ account_id: accountId })
        .whereNot((q) => q.where({ model: 'Session', id: keptSessionId }))
        .whereNot((q) => q.where({ model: 'Grant' }).whereIn('id', kept.recordIds))
        .andWhere((q) => q.whereNull('grant_id').orWhereNotIn('grant_id', kept.ids.filter((id) => !unstorable(id))))
        .delete();
    },

    /** Revokes every grant, code and token of a client. */
    async deletePayloadsByClientId(clientId: string): Promise<number> {
      return db('oidc_payloads').where({ client_id: clientId }).delete();
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
