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

    async updateClientSecret(clientId: string, sealedSecret: string): Promise<boolean> {
      const count = await db('clients').where({ client_id: clientId })
        .update({ client_secret_sealed: sealedSecret, updated_at: db.fn.now() });
      return count > 0;
    },
  };
}
