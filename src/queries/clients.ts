// SQL for the clients table (registered relying parties).
import type { Knex } from 'knex';
import { CHANGES_CHANNEL } from '../db/change-notices.ts';

/** The change-notice topic of clients (see db/change-notices.ts). */
export const CLIENT_CHANGES = 'client';

export interface ClientRow {
  client_id: string;
  client_secret_sealed: string | null;
  name: string;
  metadata: Record<string, unknown>;
  skip_consent: boolean;
  created_at: Date;
  updated_at: Date;
}

export type NewClient = Pick<ClientRow, 'client_id' | 'client_secret_sealed' | 'name' | 'metadata' | 'skip_consent'>;

export function createClientQueries(db: Knex) {
  return {
    async insertClient(client: NewClient): Promise<ClientRow> {
      const [row] = await db<ClientRow>('clients')
        .insert({ ...client, metadata: JSON.stringify(client.metadata) as never })
        .returning('*');
      return row!;
    },

    async maybeFindClient(clientId: string): Promise<ClientRow | undefined> {
      if (clientId.includes('\0')) return undefined; // Postgres text cannot hold U+0000: no such id
      return db<ClientRow>('clients').where({ client_id: clientId }).first();
    },

    async listClients(): Promise<ClientRow[]> {
      return db<ClientRow>('clients').orderBy('created_at').orderBy('client_id');
    },

    /** Returns false when there is no such client. */
    async deleteClient(clientId: string): Promise<boolean> {
      return (await db('clients').where({ client_id: clientId }).delete()) > 0;
    },

    /** Tells every process (when this transaction commits) that the client changed. */
    async announceClientChange(clientId: string): Promise<void> {
      await db.raw('select pg_notify(?, ?)', [CHANGES_CHANNEL, `${CLIENT_CHANGES}:${clientId}`]);
    },

    /** Returns false when there is no such client. */
    async updateClientMetadata(clientId: string, change: { name: string; metadata: Record<string, unknown>; skip_consent: boolean }): Promise<ClientRow | undefined> {
      const [row] = await db<ClientRow>('clients').where({ client_id: clientId })
        .update({ name: change.name, metadata: JSON.stringify(change.metadata) as never, skip_consent: change.skip_consent, updated_at: db.fn.now() as never }).returning('*');
      return row;
    },

    /**
     * When each of these clients was last used: the later of its newest sign-in in the audit log
     * and the newest save of anything the provider holds for it (a code, a token, a refresh, a
     * grant: what it asked Latchkey for). Neither alone tells it: the audit log keeps sign-ins for
     * its whole retention but records no token request (a machine's client_credentials, a
     * refresh), while the provider's rows show those but go when they expire. Tokens issued in JWT
     * form (for an API resource) are not stored, so a machine using only those shows its sign-ins
     * only, i.e. none. Cost: the newest sign-in is found walking the (client_id, id) index down from
     * the newest event; the newest save reads every row the client holds through the client_id
     * index (saved_at has no index of its own), which grows with its live tokens.
     */
    async listLastUse(clientIds: string[]): Promise<Map<string, Date>> {
      if (!clientIds.length) return new Map();
      const rows = await db('clients as c').whereIn('c.client_id', clientIds).select('c.client_id', db.raw(`greatest(
        (select a.occurred_at from audit_events a where a.client_id = c.client_id and a.type = 'sign_in.succeeded' order by a.id desc limit 1),
        (select max(p.saved_at) from oidc_payloads p where p.client_id = c.client_id)
      ) as last_used_at`)) as Array<{ client_id: string; last_used_at: Date | string | null }>;
      return new Map(rows.filter((row) => row.last_used_at).map((row) => [row.client_id, new Date(row.last_used_at!)]));
    },

    async updateClientSecret(clientId: string, sealedSecret: string): Promise<boolean> {
      const count = await db('clients').where({ client_id: clientId })
        .update({ client_secret_sealed: sealedSecret, updated_at: db.fn.now() });
      return count > 0;
    },
  };
}
