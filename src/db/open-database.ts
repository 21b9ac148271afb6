// Opens the one database Latchkey uses: Postgres when a URL is given, otherwise the
// embedded PGlite (on disk under a data directory, or in memory for tests).
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { embeddedChangeNotices, postgresChangeNotices, type ChangeNotices } from './change-notices.ts';
import { acquireDataDirLock, type LockRole } from './data-dir-lock.ts';
import { EmbeddedClient } from './embedded-client.ts';
import { openEmbeddedDatabase } from './embedded-connection.ts';
import { advisoryLocks, memoryLocks, type LockKeys } from './key-locks.ts';

export interface Database {
  knex: Knex;
  engine: 'postgres' | 'embedded';
  /** Runs work while holding the keys' locks, across every process of this database. */
  lockKeys: LockKeys;
  /** What other processes of this database changed (to drop cached copies). */
  changes: ChangeNotices;
  /** Calls `listener` with every statement sent, whichever pool sends it (to count them). */
  onStatement(listener: (statement: { sql: string; bindings?: unknown[] }) => void): void;
  /** Connections in use and requests waiting for one (knex's pool). */
  poolStats(): { inUse: number; waiting: number };
  /** The embedded database only: writes an image of it that another in-memory one can start from. */
  dumpImage?(file: string): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseLocation =
  | { databaseUrl: string }
  | { dataDir: string; role: LockRole }
  /** `image`: start from a database's image (see dumpImage) instead of an empty one. */
  | { inMemory: true; image?: string | undefined };

interface TarnPool {
  numUsed(): number;
  numPendingAcquires(): number;
}

const poolStatsOf = (knex: Knex) => () => {
  const pool = (knex.client as { pool?: TarnPool }).pool;
  return { inUse: pool?.numUsed() ?? 0, waiting: pool?.numPendingAcquires() ?? 0 };
};

export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  if ('databaseUrl' in location) {
    const knex = knexFactory({ client: 'pg', connection: location.databaseUrl, pool: { min: 0, max: 10 } });
    // Lock holders wait on connections of their own: holders can never take every connection
    // the work they guard needs.
    const lockPool = knexFactory({ client: 'pg', connection: location.databaseUrl, pool: { min: 0, max: 10 } });
    const changes = postgresChangeNotices(location.databaseUrl);
    return {
      knex,
      engine: 'postgres',
      lockKeys: advisoryLocks(lockPool),
      changes,
      onStatement: (listener) => { knex.on('query', listener); lockPool.on('query', listener); },
      poolStats: poolStatsOf(knex),
      close: async () => { await Promise.all([changes.close(), knex.destroy(), lockPool.destroy()]); },
    };
  }

  const lock = 'dataDir' in location ? acquireDataDirLock(location.dataDir, location.role) : undefined;
  try {
    // PGlite runs in a thread of its own: its queries never hold up the requests being served.
    const pglite = 'dataDir' in location ? openEmbeddedDatabase(path.join(location.dataDir, 'pgdata')) : openEmbeddedDatabase(undefined, location.image);
    await pglite.waitReady;
    const knex = knexFactory({ client: EmbeddedClient as never, connection: () => ({ pglite }) as never });
    return {
      knex,
      engine: 'embedded',
      lockKeys: memoryLocks(), // one process owns the embedded database (DATA_DIR lock)
      changes: embeddedChangeNotices(),
      onStatement: (listener) => { knex.on('query', listener); },
      poolStats: poolStatsOf(knex),
      dumpImage: (file: string) => pglite.dumpImage(file),
      async close() {
        await knex.destroy();
        if (!pglite.closed) await pglite.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
