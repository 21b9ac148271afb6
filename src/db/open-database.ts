// Opens the one database Latchkey uses: Postgres when a URL is given, otherwise the
// embedded PGlite (on disk under a data directory, or in memory for tests).
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PGlite as PGliteType } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { acquireDataDirLock, type LockRole } from './data-dir-lock.ts';
import { EmbeddedClient } from './embedded-client.ts';
import { advisoryLocks, memoryLocks, type LockKeys } from './key-locks.ts';

// The CommonJS build, which knex-pglite requires too: one copy of PGlite loads, not two (an ESM
// import here would load its own copy, a third of a second more at every start).
const { PGlite } = createRequire(import.meta.url)('@electric-sql/pglite') as { PGlite: typeof PGliteType };

export interface Database {
  knex: Knex;
  engine: 'postgres' | 'embedded';
  /** Runs work while holding the keys' locks, across every process of this database. */
  lockKeys: LockKeys;
  /** Connections in use and requests waiting for one (knex's pool). */
  poolStats(): { inUse: number; waiting: number };
  close(): Promise<void>;
}

export type DatabaseLocation =
  | { databaseUrl: string }
  | { dataDir: string; role: LockRole }
  | { inMemory: true };

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
    return {
      knex,
      engine: 'postgres',
      lockKeys: advisoryLocks(lockPool),
      poolStats: poolStatsOf(knex),
      close: async () => { await Promise.all([knex.destroy(), lockPool.destroy()]); },
    };
  }

  const lock = 'dataDir' in location ? acquireDataDirLock(location.dataDir, location.role) : undefined;
  try {
    const pglite = 'dataDir' in location ? new PGlite(path.join(location.dataDir, 'pgdata')) : new PGlite();
    await pglite.waitReady;
    const knex = knexFactory({ client: EmbeddedClient as never, connection: () => ({ pglite }) as never });
    return {
      knex,
      engine: 'embedded',
      lockKeys: memoryLocks(), // one process owns the embedded database (DATA_DIR lock)
      poolStats: poolStatsOf(knex),
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
