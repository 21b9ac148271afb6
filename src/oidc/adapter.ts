// oidc-provider's storage adapter: every model in oidc_payloads, except clients, which live in
// the clients table (read from it, and written there when dynamic registration is on). Token and cookie values are stored only as SHA-256 digests (reading
// the database does not yield usable tokens), and consume() is atomic: of concurrent
// redemptions exactly one wins, and the race revokes the grant as a replay would.
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { currentAuditContext, type RequestFacts } from '../libraries/audit/context.ts';
import type { Clients } from '../libraries/clients.ts';
import type { SessionActivity } from '../libraries/session-activity.ts';
import { tokenDigest as digest } from '../libraries/token-digest.ts';
import type { Queries } from '../queries/index.ts';
import type { PayloadWrite, StoredPayload } from '../queries/oidc-payloads.ts';
import { foundAccountOfRequest } from './account.ts';
import { heldWrites } from './held-writes.ts';
import { createPayloadBatches, type PayloadChange } from './payload-batches.ts';
import { forget, forgetStartingWith, memoized, prime, remembered } from './request-memo.ts';

/** Request-memo keys (in this process's memory for one request, like the values themselves): a token's lookup under every kind at once, or one record of a model. */
const tokensKey = (id: string) => `tokens:${id}`;
const recordKey = (model: string, id: string) => `${model}:${id}`;
const uidKey = (model: string, uid: string) => `${model}:uid:${uid}`;
/** Noted when the request read the record from the database: writing it back must not re-create it. */
const readKey = (model: string, id: string) => `read:${model}:${id}`;

/**
 * The account a record belongs to, so that ending an account's sessions finds it. An
 * interaction names it only in its result or session: a sign-in parked before its last redirect
 * must end with the rest, or it would finish after a reset or "this wasn't me".
 */
function accountOf(payload: AdapterPayload): string | undefined {
  const interaction = payload as AdapterPayload & { result?: { login?: { accountId?: string } }; session?: { accountId?: string } };
  return payload.accountId ?? interaction.result?.login?.accountId ?? interaction.session?.accountId;
}

/** Records whose reader goes on to ask for their account (and, for a code, its session and grant). */
const WITH_ACCOUNT_MODELS = new Set(['AuthorizationCode', 'Interaction', 'Session']);

/** A record as the request holds it, not yet written: deleted, or live and not consumed. */
const heldRecord = (change: PayloadChange): StoredPayload | undefined =>
  ('removed' in change ? undefined : { payload: change.payload as Record<string, unknown>, consumedAt: null });

/** Kinds of token an opaque token value may be: introspection and revocation try each in turn. */
const TOKEN_MODELS = ['AccessToken', 'ClientCredentials', 'RefreshToken'];

/** The stored payload as oidc-provider saved it: jti (the value itself) is put back from the lookup. */
function restore(stored: StoredPayload | undefined, jti: string | undefined): AdapterPayload | undefined {
  if (!stored) return undefined;
  const payload = { ...(stored.payload as AdapterPayload), ...(jti === undefined ? {} : { jti }) };
  return stored.consumedAt ? { ...payload, consumed: Math.floor(stored.consumedAt.getTime() / 1000) } : payload;
}

/**
 * The browser a session was last saved from (its IP and user agent, bounded), kept in the
 * session's payload for the people who manage sessions: oidc-provider ignores what it did not write.
 */
function deviceOf(facts: RequestFacts): { latchkey_device?: { ip: string | null; user_agent: string | null } } {
  if (!facts.ip && !facts.userAgent) return {};
  return { latchkey_device: { ip: facts.ip ?? null, user_agent: facts.userAgent?.slice(0, 400) ?? null } };
}

export function createAdapterClass({ queries, clients, activity }: { queries: Queries; clients: Clients; activity: SessionActivity }) {
  const payloads = queries.oidcPayloads;
  const batches = createPayloadBatches(queries, TOKEN_MODELS);

  return class LatchkeyAdapter implements Adapter {
    private readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    /** A write through this request: its own earlier reads of the record are no longer true. */
    private forget(id: string, uid?: string): void {
      forget(tokensKey(id));
      forget(recordKey(this.model, id));
      if (uid !== undefined) forget(uidKey(this.model, uid));
    }

    /**
     * The token endpoint reads a code, then the session and the grant it names, and the account:
     * all four come in one statement, and the others stay in the request's memo for their own
     * lookups. An interaction or a session comes with its account too (what the request asks next).
     */
    private async findWithContext(storedId: string): Promise<StoredPayload | undefined> {
      if (this.model !== 'AuthorizationCode') {
        const { stored, account } = await payloads.maybeFindPayloadWithAccount(this.model, storedId);
        if (account) foundAccountOfRequest(account);
        return stored;
      }
      const { stored, account, session, grant } = await payloads.findCodeWithContext(storedId);
      const { sessionUid, grantId } = (stored?.payload ?? {}) as { sessionUid?: string; grantId?: string };
      if (sessionUid) prime(uidKey('Session', sessionUid), session);
      if (grantId) prime(recordKey('Grant', grantId), grant);
      if (account) foundAccountOfRequest(account);
      return stored;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      // A client registering itself (RFC 7591) or updating its registration (RFC 7592).
      if (this.model === 'Client') return clients.storeRegisteredClient(payload as Record<string, unknown>);
      this.forget(id, payload.uid);
      const { jti: _value, ...rest } = payload;
      const storedId = digest(id);
      const write: PayloadWrite = {
        model: this.model,
        id: storedId,
        payload: this.model === 'Session' ? { ...rest, ...deviceOf(currentAuditContext().facts) } : rest,
        expiresInSeconds: expiresIn,
        lookups: { grantId: payload.grantId, uid: payload.uid, userCode: payload.userCode, accountId: accountOf(payload), clientId: payload.clientId },
        // A session or grant this request read and now saves again: a sign-out that deleted it meanwhile wins.
        onlyIfPresent: remembered(readKey(this.model, id)),
      };
      await this.change(write);
      if (this.model === 'Session') activity.saved(storedId); // saved_at is now: the request's own mark would write nothing
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.maybeLoadProviderMetadata(id) as Promise<AdapterPayload | undefined>;
      const storedId = digest(id);
      const held = heldWrites.find(this.model, storedId);
      if (held) return restore(heldRecord(held), id);
      if (TOKEN_MODELS.includes(this.model)) {
        // One statement finds the token whatever its kind; the other kinds' lookups in this request read the memo.
        const found = await memoized(tokensKey(id), () => batches.findToken(storedId));
        return this.read(found.get(this.model), id);
      }
      // An interaction is read by several steps of one request (its details, then its result).
      const load = WITH_ACCOUNT_MODELS.has(this.model) ? () => this.findWithContext(storedId) : () => payloads.maybeFindPayload(this.model, storedId);
      return this.read(await memoized(recordKey(this.model, id), load), id);
    }

    /** A record as read from the database, remembered as read. */
    private read(stored: StoredPayload | undefined, id: string): AdapterPayload | undefined {
      if (stored) prime(readKey(this.model, id), true);
      return restore(stored, id);
    }

    // Found by a secondary key, the value is unknown here; oidc-provider only reads these records.
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const held = heldWrites.findByUid(this.model, uid);
      if (held) return restore(heldRecord(held), undefined);
      if (heldWrites.deletesAny(this.model)) {
        await heldWrites.release(); // the record it deletes could have this uid
        forgetStartingWith(uidKey(this.model, ''));
      }
      return restore(await memoized(uidKey(this.model, uid), () => payloads.maybeFindPayloadByUid(this.model, uid)), undefined);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      await heldWrites.release();
      return restore(await payloads.maybeFindPayloadByUserCode(this.model, userCode), undefined);
    }

    async consume(id: string): Promise<void> {
      this.forget(id);
      await heldWrites.release();
      // oidc-provider checks `consumed` before calling this, but two requests can pass that check
      // together; the conditional update lets only the first through, and the other one, a
      // replay like any second redemption, revokes the grant (RFC 6749 4.1.2, RFC 9700 4.14).
      if (await payloads.consumePayload(this.model, digest(id))) return;
      const grantId = await payloads.maybeFindGrantIdOf(this.model, digest(id));
      if (grantId) await payloads.deleteGrant(digest(grantId), grantId);
      throw new errors.InvalidGrant('grant request is invalid: already used');
    }

    async destroy(id: string): Promise<void> {
      if (this.model === 'Client') return clients.deleteClient(id); // RFC 7592 DELETE
      this.forget(id);
      forgetStartingWith(uidKey(this.model, '')); // its uid is not known here
      forget(readKey(this.model, id)); // saved again after this, it is a new record
      await this.change({ model: this.model, id: digest(id), removed: true });
    }

    /** Held until the answer in a provider request, written now anywhere else. */
    private async change(change: PayloadChange): Promise<void> {
      if (!heldWrites.hold(change, batches.change)) await batches.change(change);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await heldWrites.release();
      await payloads.deletePayloadsByGrantId(this.model, grantId);
    }
  };
}
