// oidc-provider's configuration: what Latchkey offers (code flow with PKCE, refresh tokens,
// client credentials, introspection, revocation, RP-initiated logout, PAR) and what it leaves out.
import crypto from 'node:crypto';
import type { Adapter, ClientMetadata, Configuration, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import { errors, interactionPolicy } from 'oidc-provider';
import { applyRegistrationRules, REGISTRATION_POLICY } from '../libraries/clients.ts';
import { RequestError } from '../libraries/errors.ts';
import { ACR, ACR_VALUES, MFA_REQUIRED_REASON, requestsMultiFactor } from '../libraries/mfa/assurance.ts';
import type { PrivateJwk } from '../libraries/signing-keys.ts';
import { SIGNING_ALGORITHMS } from '../libraries/signing-keys.ts';
import { REFERRER_PARAMETER, referrerOf, SOURCE_VALUE_MAX_LENGTH, UTM_PARAMETERS } from '../libraries/signup-source.ts';
import { boundedParameters } from './authorization-parameters.ts';
import { claimsByScope, PROVIDER_SCOPES } from './scopes.ts';
import { tokenLifetimes } from './token-lifetimes.ts';

export interface ProviderDependencies {
  adapter: new (model: string) => Adapter;
  findAccount: FindAccount;
  /** The scopes this account allowed this client before (remembered consent). */
  rememberedScopes: (accountId: string, clientId: string) => Promise<string[]>;
  /** Whether this account must pass a second factor to sign in (it has one, or policy demands one). */
  needsSecondFactor: (accountId: string) => Promise<boolean>;
  signingKeys: PrivateJwk[];
  cookieKeys: string[];
  /** The issuer is https: cookies get the __Host- prefix. */
  httpsIssuer: boolean;
  /** /auth and /session/end accept POST (AUTHORIZATION_BY_POST): the session cookie is then SameSite=None; Secure. */
  postMethods: boolean;
  /**
   * An API resource by its indicator (RFC 8707), with the permissions the subject holds (a
   * person's roles, or a machine client's): undefined for an indicator no resource has.
   */
  resourceServer: (indicator: string, subject: { accountId?: string; clientId?: string }) => Promise<{ permissions: string[]; accessTokenTtl: number } | undefined>;
  /** Clients may register themselves (RFC 7591) with an initial access token, and manage that registration (RFC 7592). */
  dynamicRegistration: boolean;
  /** Clients known to the provider only (Latchkey's own account area), beside the clients table. */
  staticClients: ClientMetadata[];
  /**
   * The issuer is on this machine (development): requests the provider makes (back-channel
   * logout tokens) may go to localhost. Otherwise the provider refuses loopback and private
   * addresses (its SSRF protection).
   */
  loopbackRequests: boolean;
  pages: {
    renderError: NonNullable<Configuration['renderError']>;
    logoutSource: (ctx: KoaContextWithOIDC, form: string) => Promise<void>;
    postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => Promise<void>;
  };
}

/**
 * Whose permissions a token for an API resource carries: the person signing in or whose code or
 * refresh token it is, or (client_credentials) the machine client itself.
 */
function tokenSubject(ctx: KoaContextWithOIDC): { accountId?: string; clientId?: string } {
  const { entities, session, client, params } = ctx.oidc;
  const accountId = session?.accountId ?? entities.AuthorizationCode?.accountId ?? entities.RefreshToken?.accountId ?? entities.Grant?.accountId;
  if (accountId) return { accountId };
  return params?.grant_type === 'client_credentials' && client ? { clientId: client.clientId } : {};
}

/** Latchkey's rules for self-registered clients, as the provider's registration policy (a refusal is invalid_client_metadata or invalid_redirect_uri). */
async function registrationPolicy(_ctx: KoaContextWithOIDC, metadata: Record<string, unknown>) {
  try {
    applyRegistrationRules(metadata);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    throw error.code === 'invalid_redirect_uri' ? new errors.InvalidRedirectUri(error.message) : new errors.InvalidClientMetadata(error.message);
  }
}

const skipsConsent = (ctx: KoaContextWithOIDC) =>
  ctx.oidc.client?.metadata().latchkey_skip_consent === true && !ctx.oidc.prompts.has('consent');

/**
 * The grant this authorization builds on: the session's own, or else one made from what the
 * person allowed this client before (remembered consent outlives the session and its grant), so
 * that only scopes not allowed before are asked for. First-party clients (skip consent) get the
 * requested scopes granted without asking, unless the request itself demands prompt=consent.
 */
function existingGrantLoader(rememberedScopes: ProviderDependencies['rememberedScopes']) {
  return async (ctx: KoaContextWithOIDC) => {
    const { client, session, provider } = ctx.oidc;
    // Read without grantIdFor, which leaves an empty authorization for this client in the session
    // (saved with it) even when the person is never signed in to it.
    const grantId = ctx.oidc.result?.consent?.grantId ?? session!.authorizations?.[client!.clientId]?.grantId;
    const grant = grantId ? await provider.Grant.find(grantId) : undefined;
    const requested = [...ctx.oidc.requestParamOIDCScopes];
    if (skipsConsent(ctx)) {
      const firstParty = grant ?? new provider.Grant({ clientId: client!.clientId, accountId: session!.accountId! });
      firstParty.addOIDCScope(requested.join(' '));
      for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
        const permitted = [...ctx.oidc.requestParamScopes].filter((scope) => server.scopes.has(scope));
        if (permitted.length) firstParty.addResourceScope(indicator, permitted.join(' '));
      }
      await firstParty.save();
      return firstParty;
    }
    if (grant) return grant;
    const remembered = await rememberedScopes(session!.accountId!, client!.clientId);
    const allowed = requested.filter((scope) => remembered.includes(scope));
    if (!allowed.length) return undefined;
    const fromConsent = new provider.Grant({ clientId: client!.clientId, accountId: session!.accountId! });
    fromConsent.addOIDCScope(allowed.join(' '));
    await fromConsent.save();
    return fromConsent;
  };
}

/** Authorization parameters kept for sign-up reports: utm_* (bounded), and the referrer, always taken from the header. */
/**
 * fetch for a provider on this machine: a request to localhost goes without the provider's
 * SSRF guard (which refuses loopback addresses); every other request keeps it.
 */
function loopbackFetch(url: string | URL | Request, options?: RequestInit): Promise<Response> {
  const { hostname } = new URL(url instanceof Request ? url.url : url);
  if (options && ['localhost', '127.0.0.1', '[::1]'].includes(hostname)) delete (options as { dispatcher?: unknown }).dispatcher;
  return globalThis.fetch(url, options);
}

function signupSourceParameters() {
  const bounded = (_ctx: KoaContextWithOIDC, value: string | undefined) => {
    if (value !== undefined && value.length > SOURCE_VALUE_MAX_LENGTH) {
      throw new errors.InvalidRequest(`utm_* parameters must be at most ${SOURCE_VALUE_MAX_LENGTH} characters`);
    }
  };
  return {
    ...Object.fromEntries(UTM_PARAMETERS.map((name) => [name, bounded])),
    [REFERRER_PARAMETER]: (ctx: KoaContextWithOIDC) => {
      (ctx.oidc.params as Record<string, unknown>)[REFERRER_PARAMETER] = referrerOf(ctx.get('referer'));
    },
  };
}

/** The provider's session cookie (__Host- over https, so a sibling subdomain cannot plant one). */
export const sessionCookieName = (httpsIssuer: boolean) => (httpsIssuer ? '__Host-lk_session' : 'lk_session');

/**
 * oidc-provider's prompts, plus one login check: a session that proved one factor is asked to
 * sign in again when a second is wanted (acr_values, or the account's factors or policy).
 */
function interactionPolicyWithMfa(needsSecondFactor: ProviderDependencies['needsSecondFactor']) {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(new interactionPolicy.Check(MFA_REQUIRED_REASON, 'Multi-factor authentication is required', async (ctx) => {
    const { session, params } = ctx.oidc;
    if (!session?.accountId || session.acr === ACR.multiFactor) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    if (requestsMultiFactor(params!.acr_values)) return interactionPolicy.Check.REQUEST_PROMPT;
    return needsSecondFactor(session.accountId);
  }));
  return policy;
}

/**
 * Sessions end a fixed time after the sign-in, however often they are used: 14 days for "keep me
 * signed in", hours otherwise (the cookie also ends with the browser). oidc-provider asks this
 * each time it saves the session, so the answer is what is left.
 */
function sessionLifetime(_ctx: KoaContextWithOIDC, session: { loginTs?: number; transient?: boolean }): number {
  if (!session.loginTs) return tokenLifetimes.Interaction; // nobody signed in yet
  const lifetime = session.transient ? tokenLifetimes.BrowserSession : tokenLifetimes.Session;
  return Math.max(1, session.loginTs + lifetime - Math.floor(Date.now() / 1000));
}

export function buildProviderConfiguration(deps: ProviderDependencies): Configuration {
  const algorithms = [...SIGNING_ALGORITHMS];
  return {
    adapter: deps.adapter,
    findAccount: deps.findAccount,
    jwks: { keys: deps.signingKeys as never },
    clients: deps.staticClients,
    scopes: PROVIDER_SCOPES,
    // sid: in the ID tokens of clients that want it in logout tokens (backchannel_logout_session_required).
    claims: { ...claimsByScope, acr: null, amr: null, auth_time: null, iss: null, sid: null },
    extraParams: { ...boundedParameters(), ...signupSourceParameters() }, // utm_*: recorded on accounts that sign up from this request
    responseTypes: ['code'], // no implicit or hybrid flows (RFC 9700)
    // auth_time in every ID token, so relying parties can judge how fresh a sign-in is
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'client_secret_basic', require_auth_time: true },
    enableHttpPostMethods: deps.postMethods,
    pkce: { required: () => true }, // every client, confidential too (RFC 9700 2.1.1, OAuth 2.1); S256 only
    // client_secret_post works for every secret client; client_secret_jwt (a shared secret used as an HMAC key) is left out.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    cookies: {
      keys: deps.cookieKeys,
      // Over https the session cookie is __Host-: no sibling subdomain can plant one (login CSRF). The
      // interaction and resume cookies are scoped to their step's path, which __Host- does not allow.
      names: { session: sessionCookieName(deps.httpsIssuer), interaction: 'lk_interaction', resume: 'lk_resume' },
      // A relying party may POST an authorization or sign-out request from its own site: the session
      // cookie must come along (SameSite=None, which browsers take only when Secure). Without POST it stays Lax.
      long: deps.postMethods ? { httpOnly: true, sameSite: 'none', secure: true } : { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    // The claims of the granted scopes (email, profile, roles) go in the ID token as well as
    // userinfo, as relying parties commonly expect (oidc-provider's default keeps them for userinfo only).
    conformIdTokenClaims: false,
    fetch: deps.loopbackRequests ? loopbackFetch : (url, options) => globalThis.fetch(url, options),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A client learns about its own tokens only (others answer active: false); resource servers
        // that must introspect other clients' access tokens get that right explicitly.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      rpInitiatedLogout: { enabled: true, logoutSource: deps.pages.logoutSource, postLogoutSuccessSource: deps.pages.postLogoutSuccessSource },
      // Logout tokens are queued and posted by Latchkey's worker (oidc/backchannel-logout.ts), retried until delivered.
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      registration: deps.dynamicRegistration ? {
        enabled: true,
        initialAccessToken: true, // only with a token an admin made; it carries Latchkey's registration policy
        policies: { [REGISTRATION_POLICY]: registrationPolicy },
        idFactory: () => crypto.randomBytes(16).toString('hex'),
        secretFactory: () => crypto.randomBytes(32).toString('base64url'),
      } : { enabled: false },
      registrationManagement: { enabled: deps.dynamicRegistration, rotateRegistrationAccessToken: true },
      // resource=<API resource>: a JWT access token (RFC 9068) for that audience; without it, opaque tokens as before.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true, // the code's resource, when the token request names none
        async getResourceServerInfo(ctx, indicator) {
          const found = await deps.resourceServer(indicator, tokenSubject(ctx));
          if (!found) throw new errors.InvalidTarget(`no API resource ${indicator}`);
          return {
            scope: found.permissions.join(' '), audience: indicator, accessTokenTTL: found.accessTokenTtl,
            accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      userinfo: { enabled: true },
    },
    extraClientMetadata: {
      properties: ['latchkey_skip_consent'],
      validator(_ctx, key, value) {
        if (key === 'latchkey_skip_consent' && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata('latchkey_skip_consent must be a boolean');
        }
      },
    },
    clientBasedCORS: (_ctx, origin, client) =>
      origin !== 'null' && client.redirectUris!.some((uri) => URL.parse(uri)?.origin === origin),
    loadExistingGrant: existingGrantLoader(deps.rememberedScopes),
    rotateRefreshToken: true, // every use returns a new refresh token; reuse of an old one revokes the grant
    ttl: {
      // A token for an API resource lives as long as the resource says (latchkey resources --token-ttl).
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? tokenLifetimes.AccessToken,
      AuthorizationCode: tokenLifetimes.AuthorizationCode,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? tokenLifetimes.ClientCredentials,
      IdToken: tokenLifetimes.IdToken,
      Interaction: tokenLifetimes.Interaction,
      Session: sessionLifetime,
      Grant: tokenLifetimes.Grant,
      RefreshToken(ctx, token, client) {
        // A public browser client's rotated refresh token never outlives the first one.
        const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
        if (rotated && client.applicationType === 'web' && client.clientAuthMethod === 'none' && !token.isSenderConstrained()) {
          return rotated.remainingTTL;
        }
        return tokenLifetimes.RefreshToken;
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: interactionPolicyWithMfa(deps.needsSecondFactor) },
    acrValues: ACR_VALUES,
    renderError: deps.pages.renderError,
    enabledJWA: {
      idTokenSigningAlgValues: algorithms,
      userinfoSigningAlgValues: algorithms,
      introspectionSigningAlgValues: algorithms,
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'], // private_key_jwt
      authorizationSigningAlgValues: algorithms,
    },
  };
}
