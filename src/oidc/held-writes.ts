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
  /** Where the changes go when the request lets them: given by the adapter that held them. */
  store?: (change: PayloadChange) => Promise<void>;
}

const requests = new AsyncLocalStorage<Held>();
const keyOf = (model: string, id: string) => `${model}\0${id}`;

/** Writes what the request holds (each record's last change), and holds nothing more until the next change. */
async function release(held: Held): Promise<void> {
  const changes = [...held.changes.values()];
  held.changes.clear();
  if (changes.length) await Promise.all(changes.map((change) => held.store!(change)));
}

/** Middleware: the request's writes are held until its answer is ready. */
export const holdWrites = (): Middleware => async (_ctx, next) => {
  const held: Held = { changes: new Map() };
  try {
    await requests.run(held, next);
  } finally {
    await release(held);
  }
};

export const heldWrites = {
  /** Holds the change if the request holds writes (true); otherwise the caller writes it now (false). */
  hold(change: PayloadChange, store: (change: PayloadChange) => Promise<void>): boolean {
    const held = requests.getStore();
    if (!held) return false;
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
