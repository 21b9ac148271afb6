// SQL for remembered consent: the scopes each account allowed each client.
import type { Knex } from 'knex';

export interface ConsentRow {
  account_id: string;
  client_id: string;
  scopes: string[];
  created_at: Date;
  updated_at: Date;
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

    /** Forgets what the account allowed one client, or every client; how many were forgotten. */
    async deleteConsents(accountId: string, clientId?: string): Promise<number> {
      return db('consents').where({ account_id: accountId, ...(clientId ? { client_id: clientId } : {}) }).delete();
    },
  };
}
