// Under load, many requests write and read oidc-provider's records at the same moment: a token
// per client_credentials request, a lookup per introspection. Those that arrive in one turn of
// the event loop go to the database together, one statement for all of them (DataLoader, no
// caching: each caller still gets exactly what the database holds when the batch runs). One
// round trip and one commit per batch, instead of per request, is most of a token's cost.
import DataLoader from 'dataloader';
import type { PayloadWrite, StoredPayload } from '../queries/oidc-payloads.ts';
import type { Queries } from '../queries/index.ts';

const MAX_BATCH = 100;
const nextTurn = (run: () => void) => setImmediate(run);

/** The last write of each record wins: a batch updates a row once. */
function lastOfEach(writes: readonly PayloadWrite[]): PayloadWrite[] {
  return [...new Map(writes.map((write) => [`${write.model}\0${write.id}`, write])).values()];
}

export function createPayloadBatches(queries: Queries, tokenModels: string[]) {
  const payloads = queries.oidcPayloads;

  const writes = new DataLoader<PayloadWrite, true>(async (batch) => {
    try {
      await payloads.upsertPayloads(lastOfEach(batch));
      return batch.map(() => true as const);
    } catch (error) {
      if (batch.length === 1) throw error;
      // One bad record must not fail the others: each is written alone, and only it fails.
      return Promise.all(batch.map((write) => payloads.upsertPayloads([write]).then(() => true as const, (failed: Error) => failed)));
    }
  }, { cache: false, batchScheduleFn: nextTurn, maxBatchSize: MAX_BATCH });

  const tokenLookups = new DataLoader<string, Map<string, StoredPayload>>(
    (ids) => payloads.findPayloadsOfModels(tokenModels, ids),
    { cache: false, batchScheduleFn: nextTurn, maxBatchSize: MAX_BATCH },
  );

  return {
    /** Resolves once the record is stored (with the others of its batch). */
    write: async (write: PayloadWrite): Promise<void> => { await writes.load(write); },
    /** The live records with this (digested) id under each token model. */
    findToken: (id: string): Promise<Map<string, StoredPayload>> => tokenLookups.load(id),
  };
}
