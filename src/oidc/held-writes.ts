// What a provider request writes of oidc-provider's records (the session, the grant, the code,
// the interaction it ends) is held until the request's answer is ready, then written in one
// statement (with those of concurrent requests): the return from the sign-in page to the
// application took four round trips to the database, it takes one. Nothing outside the request
// can know of its records before its answer leaves, and the answer leaves only once they are
// stored (a failure to store them answers 500 instead). The request's own reads see what it holds.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from 'koa';
import type { PayloadChange } from './payload-batches.ts';

interface Held {
  changes: Map<string, PayloadChange>;
  /** Where the changes go when the request lets them, all together: given by the adapter that held them. */
  store?: (...changes: PayloadChange[]) => Promise<void>;
  /** The write under way: a second release waits for it. */
  writing?: Promise<void>;
  /** The answer is ready: what still runs in this request's context (a worker it woke) writes at once. */
  closed?: boolean;
}

const requests = new AsyncLocalStorage<Held>();
const keyOf = (model: string, id: string) => `${model}\0${id}`;

/** Writes what the request holds (each record's last change, in order), after any write under way. */
async function release(held: Held): Promise<void> {
  const changes = [...held.changes.values()];
  held.changes.clear();
  const before = held.writing;
  const writing = (async () => {
    await before?.catch(() => {}); // its failure was its own caller's
    if (changes.length) await held.store!(...changes);
  })();
  held.writing = writing;
  await writing;
}

/**
 * Middleware: the request's writes are held until its answer is ready. If they cannot be
 * stored, the request fails (a 500, without the redirect or cookies that would name them).
 */
export const holdWrites = (): Middleware => async (_ctx, next) => {
  const held: Held = { changes: new Map() };
  try {
    await requests.run(held, next);
  } catch (error) {
    held.closed = true;
    await release(held).catch(() => {}); // the request's own error is the one to report
    throw error;
  }
  held.closed = true;
  await release(held);
};

export const heldWrites = {
  /** Holds the change if the request holds writes (true); otherwise the caller writes it now (false). */
  hold(change: PayloadChange, store: (...changes: PayloadChange[]) => Promise<void>): boolean {
    const held = requests.getStore();
    if (!held || held.closed) return false;
    held.store = store;
    held.changes.delete(keyOf(change.model, change.id)); // re-inserted last: the order of changes is kept
    held.changes.set(keyOf(change.model, change.id), change);
    return true;
  },

  /** The change this request holds for the record, if any. */
  find: (model: string, id: string): PayloadChange | undefined => requests.getStore()?.changes.get(keyOf(model, id)),

  /** The record of `model` the request holds a write of under this uid, if any. */
  findByUid(model: string, uid: string): PayloadChange | undefined {
    for (const change of requests.getStore()?.changes.values() ?? []) {
      if (change.model === model && !('removed' in change) && change.lookups.uid === uid) return change;
    }
    return undefined;
  },

  /** Whether the request holds a deletion of a record of `model` (which a lookup by another key could find). */
  deletesAny(model: string): boolean {
    for (const change of requests.getStore()?.changes.values() ?? []) if (change.model === model && 'removed' in change) return true;
    return false;
  },

  /** Writes what the request holds now: before a statement that must see it (a consumption, a revocation). */
  release: async (): Promise<void> => {
    const held = requests.getStore();
    if (held) await release(held);
  },
};
