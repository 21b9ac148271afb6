// Mutual exclusion by key, for work that must not run twice at once for one subject (guesses
// at one account's password): Postgres advisory locks, held by a connection of their own (from a
// pool of their own), so every process takes part; on the embedded database, which one process
// owns, a lock in memory.
// Several keys are always taken in one order, so two holders can never wait for each other.
import type { Knex } from 'knex';

export type LockKeys = <T>(keys: string[], work: () => Promise<T>) => Promise<T>;

// Ordered by the hash the lock is taken on: two keys that share a hash cannot cross.
const LOCK = `select pg_advisory_lock(h) from (select distinct hashtextextended(k, 0) as h from unnest(?::text[]) as k order by h) as ordered`;

interface PooledConnection {
  /** knex's mark of a connection not to be handed out again. */
  __knex__disposed?: unknown;
  end(): Promise<void>;
}

/**
 * Session locks, not a transaction's: a sign-in pays two round trips (lock, unlock) instead of
 * three (begin, lock, commit), and the unlock does not hold up the answer. A connection whose
 * unlock failed may still hold locks, so it is closed at once, which releases them; so does a
 * process that dies holding one. (A pooler in front of Postgres must pool sessions, not
 * transactions: these locks, and the prepared statements, belong to a session.)
 */
export function advisoryLocks(knex: Knex): LockKeys {
  const client = knex.client as { acquireConnection(): Promise<PooledConnection>; releaseConnection(connection: PooledConnection): Promise<void> };
  return async (keys, work) => {
    const connection = await client.acquireConnection();
    const unlock = () => knex.raw('select pg_advisory_unlock_all()').connection(connection)
      .catch(async (error: unknown) => {
        connection.__knex__disposed = error; // closed now, which ends its locks, and never handed out again
        await connection.end().catch(() => {});
      })
      .finally(() => client.releaseConnection(connection));
    try {
      await knex.raw(LOCK, [keys]).connection(connection);
    } catch (error) {
      void unlock(); // some of the keys may be held
      throw error;
    }
    try {
      return await work();
    } finally {
      void unlock();
    }
  };
}

export function memoryLocks(): LockKeys {
  const tails = new Map<string, Promise<void>>();
  async function lockOne(key: string): Promise<() => void> {
    const before = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = before.then(() => mine);
    tails.set(key, tail);
    await before;
    return () => {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    };
  }
  return async (keys, work) => {
    const releases: Array<() => void> = [];
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await lockOne(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  };
}
