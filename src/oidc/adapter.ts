// oidc-provider's storage adapter: every model in oidc_payloads, except clients, which come
// from the clients table. consume() is atomic: of concurrent redemptions exactly one wins.
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Clients } from '../libraries/clients.ts';
import type { Queries } from '../queries/index.ts';
import type { StoredPayload } from '../queries/oidc-payloads.ts';

function withConsumed(stored: StoredPayload | undefined): AdapterPayload | undefined {
  if (!stored) return undefined;
  const payload = stored.payload as AdapterPayload;
  return stored.consumedAt ? { ...payload, consumed: Math.floor(stored.consumedAt.getTime() / 1000) } : payload;
}

export function createAdapterClass({ queries, clients }: { queries: Queries; clients: Clients }) {
  return class LatchkeyAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with `latchkey clients create`');
      await queries.oidcPayloads.upsertPayload(this.model, id, payload, expiresIn, {
        grantId: payload.grantId,
        uid: payload.uid,
        userCode: payload.userCode,
        accountId: payload.accountId,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.maybeLoadProviderMetadata(id) as Promise<AdapterPayload | undefined>;
      return withConsumed(await queries.oidcPayloads.maybeFindPayload(this.model, id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return withConsumed(await queries.oidcPayloads.maybeFindPayloadByUid(this.model, uid));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return withConsumed(await queries.oidcPayloads.maybeFindPayloadByUserCode(this.model, userCode));
    }

    async consume(id: string): Promise<void> {
      // oidc-provider checks `consumed` before calling this, but two requests can pass that check
      // together; the conditional update lets only the first through.
      if (!(await queries.oidcPayloads.consumePayload(this.model, id))) {
        throw new errors.InvalidGrant('grant request is invalid: already used');
      }
    }

    async destroy(id: string): Promise<void> {
      await queries.oidcPayloads.deletePayload(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await queries.oidcPayloads.deletePayloadsByGrantId(this.model, grantId);
    }
  };
}
