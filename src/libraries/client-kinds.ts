// The three kinds of application an admin registers, and what each kind means in OAuth terms:
// a web app (confidential, its server keeps a secret: code + PKCE, refresh tokens), a single-page
// or native app (public: no secret, code + PKCE), a machine (confidential, client_credentials
// only: no people, so no redirect URIs and no consent). The console, and any other door that
// asks for a kind rather than for grant types, registers through here.
import { MACHINE_SCOPES, SUPPORTED_SCOPES } from '../config/scopes.ts';
import type { ClientInput, ClientSummary } from './clients.ts';

export const CLIENT_KINDS = ['web', 'public', 'machine'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export const isClientKind = (value: unknown): value is ClientKind => (CLIENT_KINDS as readonly unknown[]).includes(value);

/** A registration's settings, whatever its kind (the kind decides the rest). */
export interface ClientSettings {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  skipConsent: boolean;
  scopes: string[];
  logoUri?: string | undefined;
  clientUri?: string | undefined;
  policyUri?: string | undefined;
  tosUri?: string | undefined;
  idTokenSigningAlg?: string | undefined;
  backchannelLogoutUri?: string | undefined;
  backchannelLogoutSessionRequired?: boolean | undefined;
}

const SIGN_IN_GRANTS = ['authorization_code', 'refresh_token'];

/**
 * The registration for an application of this kind. What the kind fixes (public or not, grant
 * types) is set here; whatever else is wrong (a redirect URI on a machine, an API scope on an app
 * that signs people in) is left for the clients library to refuse, so that it says why.
 */
export function clientInputOfKind(kind: ClientKind, settings: ClientSettings): ClientInput {
  switch (kind) {
    case 'web':
      return { ...settings, isPublic: false, grantTypes: SIGN_IN_GRANTS };
    case 'public':
      return { ...settings, isPublic: true, grantTypes: SIGN_IN_GRANTS };
    case 'machine':
      // Nobody signs in through a machine client: there is nobody to ask for consent, and no ID token.
      return { ...settings, isPublic: false, grantTypes: ['client_credentials'], skipConsent: false, idTokenSigningAlg: undefined };
  }
}

/**
 * The kind of a registered client: a machine when it can only get tokens for itself, public when
 * it has no credentials, else a web app (whatever way it proves itself: secret or its own keys).
 */
export function kindOf(client: Pick<ClientSummary, 'public' | 'grant_types'>): ClientKind {
  if (!client.grant_types.includes('authorization_code') && client.grant_types.includes('client_credentials')) return 'machine';
  return client.public ? 'public' : 'web';
}

/** The scopes a client of this kind may be given: Latchkey's own APIs are for machines only (see clients.ts). */
export const scopesOfKind = (kind: ClientKind): readonly string[] => (kind === 'machine' ? MACHINE_SCOPES : SUPPORTED_SCOPES);

export interface IntegrationFacts {
  issuer: string;
  clientId: string;
  kind: ClientKind;
  /** How it proves itself at the token endpoint: client_secret_basic, none, or private_key_jwt (its own keys). */
  authMethod: string;
  redirectUris: string[];
  /** The scopes the client may ask for, space-separated. */
  scope: string | null;
}

/** A JavaScript string literal, and a shell word, of `value`. */
const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const shellQuoted = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;

/**
 * Code to paste into the application to use Latchkey: openid-client's discovery, then for an app
 * that signs people in an authorization request with PKCE, for a machine a client_credentials
 * request (with a secret, simply curl). Never the secret itself: `<CLIENT_SECRET>` stands for it.
 */
export function integrationSnippet({ issuer, clientId, kind, authMethod, redirectUris, scope }: IntegrationFacts): string {
  const scopes = (scope ?? '').split(' ').filter(Boolean);
  const machineScopes = scopes.filter((each) => (MACHINE_SCOPES as readonly string[]).includes(each));
  if (kind === 'machine' && authMethod === 'client_secret_basic') {
    return [
      `curl -X POST ${shellQuoted(`${issuer}/token`)} \\`,
      `  -u ${shellQuoted(`${clientId}:<CLIENT_SECRET>`)} \\`,
      `  -d grant_type=client_credentials${machineScopes.length ? ' \\' : ''}`,
      ...(machineScopes.length ? [`  --data-urlencode scope=${shellQuoted(machineScopes.join(' '))}`] : []),
    ].join('\n');
  }
  // discovery(server, clientId, metadata or secret, client authentication, options)
  const discoveryArguments = [`new URL(${quoted(issuer)})`, quoted(clientId),
    ...(authMethod === 'none' ? ['undefined', 'client.None()'] : authMethod === 'private_key_jwt' ? ['undefined', 'client.PrivateKeyJwt(privateKey)'] : [quoted('<CLIENT_SECRET>')])];
  if (new URL(issuer).protocol === 'http:') { // a development issuer: openid-client wants https unless told
    if (discoveryArguments.length === 3) discoveryArguments.push('undefined');
    discoveryArguments.push('{ execute: [client.allowInsecureRequests] }');
  }
  const discovery = [
    "import * as client from 'openid-client';",
    '',
    'const config = await client.discovery(',
    ...discoveryArguments.map((argument) => `  ${argument},`),
    ');',
    '',
  ];
  if (kind === 'machine') {
    return [...discovery, `const tokens = await client.clientCredentialsGrant(config${machineScopes.length ? `, { scope: ${quoted(machineScopes.join(' '))} }` : ''});`].join('\n');
  }
  const signInScopes = ['openid', 'email', 'profile'].filter((each) => !scopes.length || scopes.includes(each));
  return [
    ...discovery,
    'const codeVerifier = client.randomPKCECodeVerifier();',
    'const state = client.randomState();',
    'const authorizationUrl = client.buildAuthorizationUrl(config, {',
    `  redirect_uri: ${quoted(redirectUris[0] ?? '<REDIRECT_URI>')},`,
    `  scope: ${quoted(signInScopes.join(' ') || 'openid')},`,
    '  code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),',
    "  code_challenge_method: 'S256',",
    '  state,',
    '});',
    '',
    'const tokens = await client.authorizationCodeGrant(config, callbackUrl, {',
    '  pkceCodeVerifier: codeVerifier,',
    '  expectedState: state,',
    '});',
  ].join('\n');
}
