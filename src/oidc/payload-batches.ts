// Under load, many requests write and read oidc-provider's records at the same moment: a token
// per client_credentials request, a lookup per introspection. Those that arrive in one turn of
// the event loop go to the database together, one statement for all of them (DataLoader, no
// caching: each caller still gets exactly what the database holds when the batch runs). One
// round trip and one commit per batch, instead of per request, is most of a token's cost.
import DataLoader from 'dataloader';
import type { PayloadKey, PayloadWrite, StoredPayload } from '../queries/oidc-payloads.ts';
import type { Queries } from '../queries/index.ts';

const MAX_BATCH = 100;
const nextTurn = (run: () => void) => setImmediate(run);

/** A record written, or deleted (`removed`). */
export type PayloadChange = PayloadWrite | (PayloadKey & { removed: true });

const isRemoval = (change: PayloadChange): change is PayloadKey & { removed: true } => 'removed' in change;

/** The last change of each record wins: a batch changes a row once. */
function lastOfEach(changes: readonly PayloadChange[]): { writes: PayloadWrite[]; deletions: PayloadKey[] } {
  const last = [...new Map(changes.map((change) => [`${change.model}\0${change.id}`, change])).values()];
  return { writes: last.filter((change): change is PayloadWrite => !isRemoval(change)), deletions: last.filter(isRemoval) };
}

export function createPayloadBatches(queries: Queries, tokenModels: string[]) {
  const payloads = queries.oidcPayloads;
  const apply = (changes: readonly PayloadChange[]) => {
    const { writes, deletions } = lastOfEach(changes);
    return payloads.upsertPayloads(writes, deletions);
  };

  // A key is one request's changes, in order (a deletion before the insert that reuses its uid):
  // they are never split between statements.
  const changes = new DataLoader<readonly PayloadChange[], true>(async (batch) => {
    try {
      await apply(batch.flat());
      return batch.map(() => true as const);
    } catch (error) {
      if (batch.length === 1) throw error;
      // One request's bad changes must not fail the others': each request's are written alone, and only they fail.
      return Promise.all(batch.map((own) => apply(own).then(() => true as const, (failed: Error) => failed)));
    }
  }, { cache: false, batchScheduleFn: nextTurn, maxBatchSize: MAX_BATCH });

  const tokenLookups = new DataLoader<string, Map<string, StoredPayload>>(
    (ids) => payloads.findPayloadsOfModels(tokenModels, ids),
    { cache: false, batchScheduleFn: nextTurn, maxBatchSize: MAX_BATCH },
  );

  return {
    /** Resolves once the records are stored or deleted (with the others of their batch), all or none. */
    change: async (...own: PayloadChange[]): Promise<void> => { await changes.load(own); },
    /** The live records with this (digested) id under each token model. */
    findToken: (id: string): Promise<Map<string, StoredPayload>> => tokenLookups.load(id),
  };
}
