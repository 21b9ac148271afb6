// Mutual exclusion by key, for work that must not run twice at once for one subject (guesses
// at one account's password): Postgres advisory locks, held by a transaction of their own (on a
// pool of their own), so every process takes part; on the embedded database, which one process
// owns, a lock in memory.
// Several keys are always taken in one order, so two holders can never wait for each other.
import type { Knex } from 'knex';

export type LockKeys = <T>(keys: string[], work: () => Promise<T>) => Promise<T>;

export function advisoryLocks(knex: Knex): LockKeys {
  return (keys, work) => knex.transaction(async (trx) => {
    // Ordered by the hash the lock is taken on: two keys that share a hash cannot cross.
    await trx.raw(
      `select pg_advisory_xact_lock(h) from (select distinct hashtextextended(k, 0) as h from unnest(?::text[]) as k order by h) as ordered`,
      [keys],
    );
    return work(); // the locks hold until this transaction ends, after the work
  });
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
