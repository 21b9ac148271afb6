// SQL for remembered consent: the scopes each account allowed each client.
import type { Knex } from 'knex';

export interface ConsentRow {
  account_id: string;
  client_id: string;
  scopes: string[];
  created_at: Date;
  updated_at: Date;
}

export interface ConsentWithUse extends ConsentRow {
  client_name: string;
  /** As registered (any scheme): whoever shows it decides whether it may be loaded. */
  logo_uri: string | null;
  last_used_at: Date | null;
}

export function createConsentQueries(db: Knex) {
  return {
    /** Adds scopes to what the account allowed the client (a client not in the clients table is skipped). */
    async addConsentScopes(accountId: string, clientId: string, scopes: string[]): Promise<void> {
      await db.raw(
        `insert into consents (account_id, client_id, scopes)
         select :accountId, client_id, :scopes::text[] from clients where client_id = :clientId
         on conflict (account_id, client_id) do update set
           scopes = (select array_agg(distinct scope order by scope) from unnest(consents.scopes || excluded.scopes) as scope),
           updated_at = now()`,
        { accountId, clientId, scopes },
      );
    },

    async maybeFindConsent(accountId: string, clientId: string): Promise<ConsentRow | undefined> {
      return db<ConsentRow>('consents').where({ account_id: accountId, client_id: clientId }).first();
    },

    async listConsents(accountId: string): Promise<ConsentRow[]> {
      return db<ConsentRow>('consents').where({ account_id: accountId }).orderBy('client_id');
    },

    /**
     * What the account allowed each client, with the client's name and logo and when the account
     * last used it: the later of its newest sign-in to it in the audit log and the newest save of
     * anything the provider holds for the two (a code, a token, a refresh); see
     * clients.listLastUse, which tells the same for a client and everyone. Cost: the account's
     * events walked newest first, and its provider rows through the account_id index.
     */
    async listConsentsWithUse(accountId: string): Promise<ConsentWithUse[]> {
      const result = await db.raw<{ rows: ConsentWithUse[] }>(
        `select c.account_id, c.client_id, c.scopes, c.created_at, c.updated_at, cl.name as client_name, cl.metadata ->> 'logo_uri' as logo_uri,
                greatest(
                  (select a.occurred_at from audit_events a
                   where a.subject_id = c.account_id and a.client_id = c.client_id and a.type = 'sign_in.succeeded' order by a.id desc limit 1),
                  (select max(p.saved_at) from oidc_payloads p where p.account_id = c.account_id::text and p.client_id = c.client_id)
                ) as last_used_at
         from consents c join clients cl on cl.client_id = c.client_id
         where c.account_id = ?
         order by lower(cl.name), c.client_id`,
        [accountId],
      );
      // Raw rows: times as the driver gives them (a string on some), made Dates here.
      return result.rows.map((row) => ({
        ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at), last_used_at: row.last_used_at === null ? null : new Date(row.last_used_at),
      }));
    },

    /** Forgets what the account allowed one client, or every client; how many were forgotten. */
    async deleteConsents(accountId: string, clientId?: string): Promise<number> {
      return db('consents').where({ account_id: accountId, ...(clientId ? { client_id: clientId } : {}) }).delete();
    },
  };
}
