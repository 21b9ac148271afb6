// knex-pglite's client, adapted to PGlite in its own thread (embedded-connection.ts): the pool
// hands out sessions of that one database, so statements of several requests queue in the
// database thread instead of waiting for the main thread one by one. Also corrected: knex-pglite
// names a response's command after knex's method, so a delete ("del") or increment ("counter")
// came back as the raw response instead of a row count.
import ClientPgLite from 'knex-pglite';
import type { EmbeddedDatabase, EmbeddedSession } from './embedded-connection.ts';

const COMMAND_OF_METHOD: Record<string, string> = { del: 'delete', counter: 'update' };
const SESSIONS = 8;

interface QueryObject {
  method?: string;
}

interface KnexPgLiteClient {
  pglite: EmbeddedDatabase;
  initializePool(config: { pool?: object }): void;
  processResponse(obj: QueryObject, runner: unknown): unknown;
}

export class EmbeddedClient extends (ClientPgLite as unknown as new (config: object) => KnexPgLiteClient) {
  override initializePool(config: { pool?: object }): void {
    super.initializePool({ ...config, pool: { min: 0, max: SESSIONS } });
  }

  async _acquireOnlyConnection(): Promise<EmbeddedSession> {
    await this.pglite.waitReady;
    return this.pglite.session();
  }

  /** A session holds nothing to release; the database itself closes with the app. */
  async destroyRawConnection(): Promise<void> {}

  override processResponse(obj: QueryObject, runner: unknown): unknown {
    const method = obj.method && COMMAND_OF_METHOD[obj.method];
    return super.processResponse(method ? { ...obj, method } : obj, runner);
  }
}
