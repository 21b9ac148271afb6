// OAuth clients: registration with validated metadata, secrets generated here, shown once
// and sealed at rest, and the metadata oidc-provider reads through the adapter.
import crypto from 'node:crypto';
import { isMachineScope, MACHINE_SCOPES, SUPPORTED_SCOPES } from '../config/scopes.ts';
import type { Queries } from '../queries/index.ts';
import { CLIENT_CHANGES, type ClientRow } from '../queries/clients.ts';
import type { ChangeNotices } from '../db/change-notices.ts';
import { RequestError, assertThat } from './errors.ts';
import { recordAudit } from './audit/audit-log.ts';
import { checkRedirectUri } from './redirect-uris.ts';
import { createShortCache } from './short-cache.ts';
import type { SecretBox } from './secret-box.ts';
import { SIGNING_ALGORITHMS } from './signing-keys.ts';
import { tokenDigest } from './token-digest.ts';

/** The registration policy every initial access token carries (see applyRegistrationRules). */
export const REGISTRATION_POLICY = 'latchkey';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

export interface ClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  isPublic: boolean;
  grantTypes: string[];
  scopes: string[];
  skipConsent: boolean;
  logoUri?: string | undefined;
  /** The application's home page, privacy policy and terms, linked from the consent page (https). */
  clientUri?: string | undefined;
  policyUri?: string | undefined;
  tosUri?: string | undefined;
  /** RS256 (the default), ES256 or EdDSA. */
  idTokenSigningAlg?: string | undefined;
  /** Where Latchkey posts a logout token when the person signs out (OpenID Connect Back-Channel Logout). */
  backchannelLogoutUri?: string | undefined;
  /** Whether each logout token must name the session (sid) it ends. */
  backchannelLogoutSessionRequired?: boolean | undefined;
  /**
   * The client's public keys (a JWK Set): it then authenticates with private_key_jwt, a JWT it
   * signs (RFC 7523), instead of a secret.
   */
  jwks?: unknown;
}

/** What an update may change: everything but whether the client is public and how it authenticates. */
export type ClientChange = Partial<Omit<ClientInput, 'isPublic' | 'jwks'>>;

/** The registration a stored client was made from, to apply a change to. */
function inputOf(row: ClientRow): ClientInput {
  const m = row.metadata as Record<string, never>;
  return {
    name: row.name,
    redirectUris: m.redirect_uris ?? [],
    postLogoutRedirectUris: m.post_logout_redirect_uris ?? [],
    isPublic: m.token_endpoint_auth_method === 'none',
    grantTypes: m.grant_types ?? [],
    scopes: (m.scope as string | undefined)?.split(' ') ?? [],
    skipConsent: row.skip_consent,
    logoUri: m.logo_uri,
    clientUri: m.client_uri,
    policyUri: m.policy_uri,
    tosUri: m.tos_uri,
    idTokenSigningAlg: m.id_token_signed_response_alg,
    jwks: m.jwks,
    backchannelLogoutUri: m.backchannel_logout_uri,
    backchannelLogoutSessionRequired: m.backchannel_logout_session_required,
  };
}

/**
 * What a client registering itself (RFC 7591) or changing its registration (RFC 7592) may not
 * do: hold an API scope (admin, scim …), skip consent, or return to a redirect URI an
 * administrator could not register. With no scope it may ask for the OpenID scopes. Changes
 * `metadata` in place; throws a RequestError for what it refuses.
 */
export function applyRegistrationRules(metadata: Record<string, unknown>): void {
  const scopes = typeof metadata.scope === 'string' ? metadata.scope.split(' ').filter(Boolean) : [];
  assertThat(scopes.every((scope) => SUPPORTED_SCOPES.includes(scope)), 'invalid_client_metadata',
    `A client that registers itself may ask for ${SUPPORTED_SCOPES.join(', ')} only.`);
  metadata.scope = clientScope(scopes);
  delete metadata.latchkey_skip_consent; // people are always asked what a self-registered client may see
  const redirectUris = Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris : [];
  for (const uri of redirectUris) {
    const kind = checkRedirectUri(String(uri), 'Redirect URI');
    assertThat(kind !== 'private-use' || metadata.token_endpoint_auth_method === 'none', 'invalid_redirect_uri', 'Private-use scheme redirect URIs are for public (native) clients.');
  }
  for (const uri of Array.isArray(metadata.post_logout_redirect_uris) ? metadata.post_logout_redirect_uris : []) checkRedirectUri(String(uri), 'Post-logout redirect URI');
  if (metadata.backchannel_logout_uri !== undefined) checkBackchannelLogoutUri(String(metadata.backchannel_logout_uri));
}

export interface ClientSummary {
  client_id: string;
  client_name: string;
  public: boolean;
  token_endpoint_auth_method: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scope: string | null;
  skip_consent: boolean;
  logo_uri: string | null;
  client_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  id_token_signed_response_alg: string;
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  created_at: string;
}

/** Checks metadata the way the running provider will when it loads the client. */
export type ClientMetadataValidator = (metadata: Record<string, unknown>) => Promise<void>;

const newSecret = () => crypto.randomBytes(32).toString('base64url');

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A JWK Set of public keys, or invalid_client_metadata (a private or symmetric key must never be registered). */
function publicKeySet(value: unknown): { keys: Array<Record<string, unknown>> } {
  const keys = (value as { keys?: unknown } | null)?.keys;
  assertThat(Array.isArray(keys) && keys.length > 0 && keys.length <= 10 && keys.every((key) => key && typeof key === 'object' && typeof (key as { kty?: unknown }).kty === 'string'),
    'invalid_client_metadata', 'The JWK Set must be {"keys": [...]} with 1 to 10 public keys.');
  const withPrivateParts = (keys as Array<Record<string, unknown>>).some((key) => PRIVATE_JWK_MEMBERS.some((member) => member in key));
  assertThat(!withPrivateParts, 'invalid_client_metadata', 'The JWK Set holds a private or symmetric key: register the public keys only.');
  for (const key of keys as Array<Record<string, unknown>>) {
    try {
      crypto.createPublicKey({ key: key as crypto.JsonWebKey, format: 'jwk' });
    } catch {
      throw new RequestError('invalid_client_metadata', 400, `The JWK Set holds a key that is not a usable public key${typeof key.kid === 'string' ? ` (kid ${key.kid})` : ''}.`);
    }
  }
  return { keys: keys as Array<Record<string, unknown>> };
}

/**
 * What a client may ask for: the scopes it was registered with, or every OpenID scope. Always
 * written out, so that no client may ask for an API scope it was not given.
 */
export const clientScope = (scopes: string[] | undefined) => (scopes?.length ? [...new Set(scopes)] : SUPPORTED_SCOPES).join(' ');

/**
 * A refusal's details naming the setting it is about (`input`, a ClientInput name), so that a
 * form can show it under that field; `messageKey` words it for pages where the sentence is
 * written for the command line.
 */
const aboutInput = (input: keyof ClientInput, messageKey?: string) => ({ input, ...(messageKey ? { messageKey } : {}) });

/** Runs a check of one setting; its refusal names that setting (see aboutInput). */
function checkingInput<T>(input: keyof ClientInput, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof RequestError && error.details.input === undefined) throw new RequestError(error.code, error.status, error.message, { ...error.details, input });
    throw error;
  }
}

/** Checks a registration and returns oidc-provider client metadata; needs no database. */
export function buildClientMetadata(input: ClientInput): Record<string, unknown> {
  const name = input.name.trim();
  assertThat(name.length > 0 && name.length <= 100, 'invalid_client_name', 'The client name must be 1 to 100 characters.', 400, aboutInput('name'));

  const grantTypes = [...new Set(input.grantTypes.length ? input.grantTypes : ['authorization_code', 'refresh_token'])];
  for (const grant of grantTypes) {
    assertThat((GRANT_TYPES as readonly string[]).includes(grant), 'invalid_grant_type', `Unsupported grant type ${grant}; use ${GRANT_TYPES.join(', ')}.`);
  }
  const usesCode = grantTypes.includes('authorization_code');
  assertThat(!grantTypes.includes('refresh_token') || usesCode, 'invalid_grant_type', 'refresh_token needs authorization_code.');
  assertThat(!(input.isPublic && grantTypes.includes('client_credentials')), 'invalid_grant_type', 'A public client cannot use client_credentials: it has no secret.');

  assertThat(!usesCode || input.redirectUris.length > 0, 'redirect_uri_required', 'authorization_code needs at least one --redirect-uri.', 400, aboutInput('redirectUris'));
  assertThat(usesCode || input.redirectUris.length === 0, 'invalid_redirect_uri', 'Redirect URIs need the authorization_code grant.', 400,
    aboutInput('redirectUris', 'messages.redirectUrisNeedSignIn'));
  const kinds = checkingInput('redirectUris', () => input.redirectUris.map((uri) => checkRedirectUri(uri, 'Redirect URI')));
  checkingInput('postLogoutRedirectUris', () => input.postLogoutRedirectUris.forEach((uri) => checkRedirectUri(uri, 'Post-logout redirect URI')));
  assertThat(!kinds.includes('private-use') || input.isPublic, 'invalid_redirect_uri', 'Private-use scheme redirect URIs are for public (native) clients; add --public.', 400,
    aboutInput('redirectUris', 'messages.privateUseSchemeNeedsPublic'));
  // A public client that returns only to loopback IP literals or its own scheme is a native app (RFC 8252):
  // its loopback port may vary.
  const native = input.isPublic && kinds.length > 0 && kinds.every((kind) => kind !== 'web');

  for (const scope of input.scopes) {
    assertThat(SUPPORTED_SCOPES.includes(scope) || isMachineScope(scope), 'invalid_scope', `Unsupported scope ${scope}; use ${[...SUPPORTED_SCOPES, ...MACHINE_SCOPES].join(', ')}.`, 400, aboutInput('scopes'));
  }
  // Latchkey's own APIs are for machines: a client that also signs people in must not hold them.
  assertThat(!input.scopes.some(isMachineScope) || (grantTypes.length === 1 && grantTypes[0] === 'client_credentials'), 'invalid_scope',
    `${MACHINE_SCOPES.join(', ')} are for machine clients: use --grant-type client_credentials alone.`, 400, aboutInput('scopes', 'messages.machineScopesForMachines'));
  const jwks = input.jwks === undefined ? undefined : publicKeySet(input.jwks);
  assertThat(!(jwks && input.isPublic), 'invalid_client_metadata', 'A public client has no credentials; leave out --jwks or --public.');
  const alg = input.idTokenSigningAlg ?? 'RS256';
  assertThat((SIGNING_ALGORITHMS as readonly string[]).includes(alg), 'invalid_signing_alg', `Unsupported ID token algorithm ${alg}; use ${SIGNING_ALGORITHMS.join(', ')}.`, 400,
    aboutInput('idTokenSigningAlg'));
  if (input.logoUri !== undefined) {
    assertThat(URL.parse(input.logoUri)?.protocol === 'https:', 'invalid_logo_uri', 'The logo URI must be an https URL.', 400, aboutInput('logoUri', 'messages.linkNotHttps'));
  }
  for (const [value, option, setting] of [[input.clientUri, '--client-uri', 'clientUri'], [input.policyUri, '--policy-uri', 'policyUri'], [input.tosUri, '--tos-uri', 'tosUri']] as const) {
    if (value !== undefined) assertThat(URL.parse(value)?.protocol === 'https:', 'invalid_client_metadata', `${option} must be an https URL.`, 400, aboutInput(setting, 'messages.linkNotHttps'));
  }
  if (input.backchannelLogoutUri !== undefined) {
    assertThat(usesCode, 'invalid_client_metadata', 'A back-channel logout URI is for applications that sign people in (authorization_code).', 400, aboutInput('backchannelLogoutUri'));
    checkingInput('backchannelLogoutUri', () => checkBackchannelLogoutUri(input.backchannelLogoutUri!));
  }

  return {
    client_name: name,
    application_type: native ? 'native' : 'web',
    redirect_uris: [...new Set(input.redirectUris)],
    post_logout_redirect_uris: [...new Set(input.postLogoutRedirectUris)],
    grant_types: grantTypes,
    response_types: usesCode ? ['code'] : [],
    token_endpoint_auth_method: input.isPublic ? 'none' : jwks ? 'private_key_jwt' : 'client_secret_basic',
    ...(jwks ? { jwks } : {}),
    id_token_signed_response_alg: alg,
    scope: clientScope(input.scopes),
    ...(input.logoUri ? { logo_uri: input.logoUri } : {}),
    ...(input.clientUri ? { client_uri: input.clientUri } : {}),
    ...(input.policyUri ? { policy_uri: input.policyUri } : {}),
    ...(input.tosUri ? { tos_uri: input.tosUri } : {}),
    ...(input.backchannelLogoutUri ? {
      backchannel_logout_uri: input.backchannelLogoutUri, backchannel_logout_session_required: input.backchannelLogoutSessionRequired ?? false,
    } : {}),
  };
}

/**
 * Where logout tokens may be posted: https, or http to the machine itself (an application in
 * development); never with a fragment (the specification forbids it) or credentials in the URL.
 */
function checkBackchannelLogoutUri(value: string): void {
  const url = URL.parse(value);
  const loopback = url?.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  assertThat(url !== null && (url.protocol === 'https:' || loopback), 'invalid_client_metadata',
    'The back-channel logout URI must be an https URL (http only to localhost).', 400, { messageKey: 'messages.backchannelLogoutUriInvalid' });
  assertThat(!url!.hash && !url!.username && !url!.password && !value.includes('#'), 'invalid_client_metadata',
    'The back-channel logout URI must have no fragment and no user name or password.', 400, { messageKey: 'messages.backchannelLogoutUriInvalid' });
}

function summarise(row: ClientRow): ClientSummary {
  const m = row.metadata as Record<string, never>;
  return {
    client_id: row.client_id,
    client_name: row.name,
    public: m.token_endpoint_auth_method === 'none',
    token_endpoint_auth_method: m.token_endpoint_auth_method ?? 'client_secret_basic',
    redirect_uris: m.redirect_uris ?? [],
    post_logout_redirect_uris: m.post_logout_redirect_uris ?? [],
    grant_types: m.grant_types ?? [],
    scope: m.scope ?? null,
    skip_consent: row.skip_consent,
    logo_uri: m.logo_uri ?? null,
    client_uri: m.client_uri ?? null,
    policy_uri: m.policy_uri ?? null,
    tos_uri: m.tos_uri ?? null,
    id_token_signed_response_alg: m.id_token_signed_response_alg ?? 'RS256',
    backchannel_logout_uri: m.backchannel_logout_uri ?? null,
    backchannel_logout_session_required: m.backchannel_logout_session_required ?? false,
    created_at: row.created_at.toISOString(),
  };
}

/**
 * How long a process serves a client from memory (every token and introspection request reads
 * its client): while changes are announced, another process's change (the CLI, another server)
 * drops it at once, and the longer time only bounds a lost notice; otherwise the short one
 * bounds how stale it may be.
 */
export const CLIENT_CACHE_MS = { announced: 60_000, unannounced: 1000 };

export function createClients({ queries, secretBox, validateMetadata, changes }: {
  queries: Queries; secretBox: SecretBox; validateMetadata: ClientMetadataValidator; changes: ChangeNotices;
}) {
  const providerMetadata = createShortCache<Record<string, unknown> | undefined>({
    ttlMs: () => (changes.live ? CLIENT_CACHE_MS.announced : CLIENT_CACHE_MS.unannounced),
    maxEntries: 10_000,
  });
  changes.subscribe(CLIENT_CHANGES, (clientId) => providerMetadata.delete(clientId), () => providerMetadata.clear());
  async function findRow(clientId: string): Promise<ClientRow> {
    const row = await queries.clients.maybeFindClient(clientId);
    if (!row) throw new RequestError('client_not_found', 404, `No client ${clientId}.`);
    return row;
  }

  return {
    async createClient(input: ClientInput): Promise<{ client: ClientSummary; clientSecret?: string }> {
      const metadata = buildClientMetadata(input);
      const clientId = crypto.randomBytes(16).toString('hex'); // never starts with '-', which a command line would take for an option
      const clientSecret = metadata.token_endpoint_auth_method === 'client_secret_basic' ? newSecret() : undefined;
      await validateMetadata({ ...metadata, client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) }).catch((error: { error_description?: string; message: string }) => {
        throw new RequestError('invalid_client_metadata', 400, error.error_description ?? error.message);
      });
      const row = await queries.transaction(async (q) => {
        const inserted = await q.clients.insertClient({
          client_id: clientId,
          client_secret_sealed: clientSecret ? secretBox.seal('client-secret', clientSecret) : null,
          name: metadata.client_name as string,
          metadata,
          skip_consent: input.skipConsent,
        });
        await recordAudit(q, { type: 'client.created', clientId, details: { name: inserted.name, grant_types: metadata.grant_types } });
        await q.clients.announceClientChange(clientId); // an id looked up before it existed
        return inserted;
      });
      return { client: summarise(row), ...(clientSecret ? { clientSecret } : {}) };
    },

    listClients: async () => (await queries.clients.listClients()).map(summarise),

    /** Every client with when it was last used, or null (how that is told: queries/clients.ts listLastUse). */
    async listClientsWithLastUse(): Promise<Array<ClientSummary & { last_used_at: string | null }>> {
      const clients = (await queries.clients.listClients()).map(summarise);
      const lastUse = await queries.clients.listLastUse(clients.map((client) => client.client_id));
      return clients.map((client) => ({ ...client, last_used_at: lastUse.get(client.client_id)?.toISOString() ?? null }));
    },

    /** When the client was last used, or null (see listClientsWithLastUse). */
    lastUse: async (clientId: string): Promise<string | null> => (await queries.clients.listLastUse([clientId])).get(clientId)?.toISOString() ?? null,

    showClient: async (clientId: string) => summarise(await findRow(clientId)),

    /** Deleting a client also revokes every grant, code and token it holds. */
    async deleteClient(clientId: string): Promise<void> {
      await queries.transaction(async (q) => {
        if (!(await q.clients.deleteClient(clientId))) throw new RequestError('client_not_found', 404, `No client ${clientId}.`);
        await q.oidcPayloads.deletePayloadsByClientId(clientId);
        await recordAudit(q, { type: 'client.deleted', clientId });
        await q.clients.announceClientChange(clientId);
      });
      providerMetadata.delete(clientId);
    },

    /**
     * Changes a client's settings, checked as a new registration would be; what it holds
     * (grants, tokens) stays. Every process drops its copy at once. An empty URI clears logo, links and the back-channel logout URI.
     */
    async updateClient(clientId: string, change: ClientChange): Promise<ClientSummary> {
      const row = await findRow(clientId);
      const before = inputOf(row);
      const clear = (value: string | undefined, old: string | undefined) => (value === undefined ? old : value || undefined);
      const after: ClientInput = {
        ...before,
        ...Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)),
        logoUri: clear(change.logoUri, before.logoUri),
        clientUri: clear(change.clientUri, before.clientUri),
        policyUri: clear(change.policyUri, before.policyUri),
        tosUri: clear(change.tosUri, before.tosUri),
        backchannelLogoutUri: clear(change.backchannelLogoutUri, before.backchannelLogoutUri),
      };
      const metadata = buildClientMetadata(after);
      await validateMetadata({ ...metadata, client_id: clientId, ...(row.client_secret_sealed ? { client_secret: 'unchanged-secret-for-validation-only' } : {}) })
        .catch((error: { error_description?: string; message: string }) => {
          throw new RequestError('invalid_client_metadata', 400, error.error_description ?? error.message);
        });
      const fields = [...new Set([...Object.keys(metadata), ...Object.keys(row.metadata)])]
        .filter((key) => JSON.stringify(metadata[key]) !== JSON.stringify((row.metadata as Record<string, unknown>)[key]));
      if (after.skipConsent !== row.skip_consent) fields.push('skip_consent');
      if (!fields.length) return summarise(row);
      const updated = await queries.transaction(async (q) => {
        const saved = await q.clients.updateClientMetadata(clientId, { name: metadata.client_name as string, metadata, skip_consent: after.skipConsent });
        if (!saved) throw new RequestError('client_not_found', 404, `No client ${clientId}.`);
        await recordAudit(q, { type: 'client.updated', clientId, details: { fields } });
        await q.clients.announceClientChange(clientId);
        return saved;
      });
      providerMetadata.delete(clientId);
      return summarise(updated);
    },

    /** Stores a client as dynamic registration made or changed it (the provider checked its metadata; this applies Latchkey's rules). */
    async storeRegisteredClient(registered: Record<string, unknown>): Promise<void> {
      const { client_id: clientId, client_secret: secret, ...metadata } = registered as { client_id: string; client_secret?: string } & Record<string, unknown>;
      applyRegistrationRules(metadata);
      const existing = await queries.clients.maybeFindClient(clientId);
      const name = typeof metadata.client_name === 'string' && metadata.client_name ? metadata.client_name : clientId;
      await queries.transaction(async (q) => {
        if (existing) {
          await q.clients.updateClientMetadata(clientId, { name, metadata, skip_consent: false });
          if (secret && secret !== (existing.client_secret_sealed && secretBox.open('client-secret', existing.client_secret_sealed))) {
            await q.clients.updateClientSecret(clientId, secretBox.seal('client-secret', secret));
          }
          await recordAudit(q, { type: 'client.updated', clientId, details: { dynamic: true } });
        } else {
          await q.clients.insertClient({ client_id: clientId, client_secret_sealed: secret ? secretBox.seal('client-secret', secret) : null, name, metadata, skip_consent: false });
          await recordAudit(q, { type: 'client.created', clientId, details: { name, grant_types: metadata.grant_types, dynamic: true } });
        }
        await q.clients.announceClientChange(clientId);
      });
      providerMetadata.delete(clientId);
    },

    /**
     * An initial access token (RFC 7591 §3): lets whoever holds it register clients until it
     * expires. Shown once; stored as a digest, like the provider's own tokens.
     */
    async createInitialAccessToken(expiresInSeconds: number): Promise<{ token: string; expiresAt: string }> {
      assertThat(Number.isInteger(expiresInSeconds) && expiresInSeconds > 0 && expiresInSeconds <= 30 * 86_400, 'invalid_expiry', 'An initial access token lasts at most 30 days.');
      const token = crypto.randomBytes(32).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      await queries.transaction(async (q) => {
        await q.oidcPayloads.upsertPayloads([{
          model: 'InitialAccessToken', id: tokenDigest(token), expiresInSeconds,
          payload: { iat: now, exp: now + expiresInSeconds, kind: 'InitialAccessToken', policies: [REGISTRATION_POLICY] }, lookups: {},
        }]);
        await recordAudit(q, { type: 'initial_access_token.created', details: { expires_at: new Date((now + expiresInSeconds) * 1000).toISOString() } });
      });
      return { token, expiresAt: new Date((now + expiresInSeconds) * 1000).toISOString() };
    },

    /** The live initial access tokens for dynamic registration (made by createInitialAccessToken): when made, until when. */
    listInitialAccessTokens: async () => (await queries.oidcPayloads.listLiveInitialAccessTokens())
      .map((row) => ({ issued_at: row.issued_at.toISOString(), expires_at: row.expires_at.toISOString() })),

    /** A new secret replaces the old one at once; it is returned once and stored sealed. */
    async rotateClientSecret(clientId: string): Promise<string> {
      const row = await findRow(clientId);
      assertThat(row.client_secret_sealed, 'no_client_secret', `${clientId} has no secret (a public client, or one that signs with its own keys).`, 409);
      const clientSecret = newSecret();
      await queries.transaction(async (q) => {
        await q.clients.updateClientSecret(clientId, secretBox.seal('client-secret', clientSecret));
        await recordAudit(q, { type: 'client.secret_rotated', clientId });
        await q.clients.announceClientChange(clientId);
      });
      providerMetadata.delete(clientId);
      return clientSecret;
    },

    /** Metadata as oidc-provider expects it, with the secret unsealed, or undefined; served from memory for a second. */
    async maybeLoadProviderMetadata(clientId: string): Promise<Record<string, unknown> | undefined> {
      const metadata = await providerMetadata.get(clientId, async () => {
        const row = await queries.clients.maybeFindClient(clientId);
        if (!row) return undefined;
        return {
          ...row.metadata,
          scope: (row.metadata.scope as string | undefined) ?? clientScope(undefined), // registered before scopes were always written
          client_id: row.client_id,
          client_name: row.name,
          ...(row.client_secret_sealed ? { client_secret: secretBox.open('client-secret', row.client_secret_sealed) } : {}),
          latchkey_skip_consent: row.skip_consent,
        };
      });
      return metadata && { ...metadata }; // a copy: the provider's own changes stay its own
    },
  };
}

export type Clients = ReturnType<typeof createClients>;
