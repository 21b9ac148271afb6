// latchkey clients create|update|list|show|delete|rotate-secret
import { buildClientMetadata, type ClientSummary } from '../../libraries/clients.ts';
import { table, UsageError, type Execute } from '../io.ts';
import { onePositional, parse, periodSeconds, required } from '../parse.ts';

export const clientsHelp = `latchkey clients create --name NAME --redirect-uri URI... [--post-logout-redirect-uri URI...]
                       [--public] [--grant-type TYPE...] [--scope SCOPE...] [--skip-consent] [--logo-uri URL]
                       [--client-uri URL] [--policy-uri URL] [--tos-uri URL]
                       [--id-token-alg RS256|ES256|EdDSA] [--jwks JSON]
                       [--backchannel-logout-uri URL [--backchannel-logout-session-required]] [--json]
    Registers a relying party and prints its client_id and, for a confidential client, its secret (shown once).
    --grant-type: authorization_code, refresh_token, client_credentials (default: the first two)
    --scope: the scopes the client may ask for (default: openid, email, profile, offline_access, roles); a machine
            client (--grant-type client_credentials alone) may instead hold admin, admin:read or scim,
            the scopes of the admin API and SCIM
    --skip-consent: a first-party app; its users are not asked for consent
    --logo-uri, --client-uri, --policy-uri, --tos-uri: its logo, home page, privacy policy and
            terms (https), shown on the sign-in and consent pages
    --id-token-alg: how its ID tokens are signed (default RS256)
    --jwks: the client's public keys as a JWK Set ({"keys": [...]}); it then authenticates with
            private_key_jwt (a JWT signed with its private key) and gets no secret
    --backchannel-logout-uri: where Latchkey posts a signed logout token when the person signs out
            of Latchkey (https; http only to localhost); --backchannel-logout-session-required: each
            token names the session (sid) it ends, as the ID token did
latchkey clients update CLIENT_ID [--name NAME] [--redirect-uri URI...] [--post-logout-redirect-uri URI...]
                       [--grant-type TYPE...] [--scope SCOPE...] [--skip-consent | --ask-consent] [--logo-uri URL]
                       [--client-uri URL] [--policy-uri URL] [--tos-uri URL] [--id-token-alg ALG]
                       [--backchannel-logout-uri URL] [--backchannel-logout-session-required BOOL] [--json]
    Changes what is given (a repeated option replaces the whole list; an empty URL clears a logo, a link
    or the back-channel logout URI),
    checked as a new registration would be. Whether it is public, and its keys, stay.
latchkey clients initial-token create [--expires-in PERIOD] [--json]
    With DYNAMIC_REGISTRATION=on: a token that lets whoever holds it register clients at /reg
    (RFC 7591) until it expires (default 24h, at most 30d). Shown once.
latchkey clients list [--json]
latchkey clients show CLIENT_ID [--json]
latchkey clients delete CLIENT_ID
latchkey clients rotate-secret CLIENT_ID [--json]
    Replaces the secret at once and prints the new one (shown once).`;

function describe(client: ClientSummary, secret: string | undefined): string[] {
  return [
    `client_id:      ${client.client_id}`,
    ...(secret ? [`client_secret:  ${secret}  (shown once: store it now)`] : []),
    `name:           ${client.client_name}`,
    `type:           ${client.public ? 'public (PKCE, no secret)' : `confidential (${client.token_endpoint_auth_method})`}`,
    `grant types:    ${client.grant_types.join(', ')}`,
    `redirect URIs:  ${client.redirect_uris.join(', ') || '—'}`,
    `logout URIs:    ${client.post_logout_redirect_uris.join(', ') || '—'}`,
    `scopes:         ${client.scope ?? 'openid email profile offline_access roles'}`,
    `skip consent:   ${client.skip_consent ? 'yes' : 'no'}`,
    `ID token alg:   ${client.id_token_signed_response_alg}`,
    `back-channel logout: ${client.backchannel_logout_uri ? `${client.backchannel_logout_uri}${client.backchannel_logout_session_required ? ' (sid required)' : ''}` : '—'}`,
  ];
}

function yesOrNo(value: string | undefined, flag: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new UsageError(`${flag} takes true or false`);
}

function parseJson(value: string, flag: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new UsageError(`${flag} takes JSON, such as '{"keys":[{"kty":"EC",...}]}'`);
  }
}

export function parseClientsCommand(args: string[]): Execute {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const { values } = parse(`clients ${sub}`, rest, {
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        public: { type: 'boolean' },
        'grant-type': { type: 'string', multiple: true },
        scope: { type: 'string', multiple: true },
        'skip-consent': { type: 'boolean' },
        'logo-uri': { type: 'string' },
        'client-uri': { type: 'string' },
        'policy-uri': { type: 'string' },
        'tos-uri': { type: 'string' },
        'id-token-alg': { type: 'string' },
        jwks: { type: 'string' },
        'backchannel-logout-uri': { type: 'string' },
        'backchannel-logout-session-required': { type: 'boolean' },
      });
      const input = {
        name: required(values.name, '--name', 'clients create'),
        redirectUris: values['redirect-uri'] ?? [],
        postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
        isPublic: values.public ?? false,
        grantTypes: values['grant-type'] ?? [],
        scopes: (values.scope ?? []).flatMap((scope) => scope.split(/[\s,]+/)).filter(Boolean),
        skipConsent: values['skip-consent'] ?? false,
        logoUri: values['logo-uri'],
        clientUri: values['client-uri'],
        policyUri: values['policy-uri'],
        tosUri: values['tos-uri'],
        idTokenSigningAlg: values['id-token-alg'],
        jwks: values.jwks === undefined ? undefined : parseJson(values.jwks, '--jwks'),
        backchannelLogoutUri: values['backchannel-logout-uri'],
        backchannelLogoutSessionRequired: values['backchannel-logout-session-required'],
      };
      buildClientMetadata(input); // refuse a bad registration before opening the database
      return async ({ clients }, io) => {
        const { client, clientSecret } = await clients.createClient(input);
        if (values.json) return io.out(JSON.stringify({ ...client, ...(clientSecret ? { client_secret: clientSecret } : {}) }));
        [`Created client "${client.client_name}"`, ...describe(client, clientSecret)].forEach(io.out);
      };
    }
    case 'update': {
      const { values, positionals } = parse(`clients ${sub}`, rest, {
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        'grant-type': { type: 'string', multiple: true },
        scope: { type: 'string', multiple: true },
        'skip-consent': { type: 'boolean' },
        'ask-consent': { type: 'boolean' },
        'logo-uri': { type: 'string' },
        'client-uri': { type: 'string' },
        'policy-uri': { type: 'string' },
        'tos-uri': { type: 'string' },
        'id-token-alg': { type: 'string' },
        'backchannel-logout-uri': { type: 'string' },
        'backchannel-logout-session-required': { type: 'string' },
      });
      const clientId = onePositional(positionals, 'CLIENT_ID', 'clients update');
      if (values['skip-consent'] && values['ask-consent']) throw new UsageError('clients update takes --skip-consent or --ask-consent, not both');
      const change = {
        name: values.name,
        redirectUris: values['redirect-uri'],
        postLogoutRedirectUris: values['post-logout-redirect-uri'],
        grantTypes: values['grant-type'],
        scopes: values.scope?.flatMap((scope) => scope.split(/[\s,]+/)).filter(Boolean),
        skipConsent: values['skip-consent'] ? true : values['ask-consent'] ? false : undefined,
        logoUri: values['logo-uri'],
        clientUri: values['client-uri'],
        policyUri: values['policy-uri'],
        tosUri: values['tos-uri'],
        idTokenSigningAlg: values['id-token-alg'],
        backchannelLogoutUri: values['backchannel-logout-uri'],
        backchannelLogoutSessionRequired: yesOrNo(values['backchannel-logout-session-required'], '--backchannel-logout-session-required'),
      };
      if (Object.values(change).every((value) => value === undefined)) throw new UsageError('clients update needs something to change (see latchkey clients --help)');
      return async ({ clients }, io) => {
        const client = await clients.updateClient(clientId, change);
        if (values.json) return io.out(JSON.stringify(client));
        [`Updated client "${client.client_name}"`, ...describe(client, undefined)].forEach(io.out);
      };
    }
    case 'initial-token': {
      const [action, ...options] = rest;
      if (action !== 'create') throw new UsageError('clients initial-token takes create (see latchkey clients --help)');
      const { values } = parse('clients initial-token create', options, { 'expires-in': { type: 'string' } });
      const seconds = periodSeconds(values['expires-in'] ?? '24h', '--expires-in');
      return async ({ clients, config }, io) => {
        const { token, expiresAt } = await clients.createInitialAccessToken(seconds);
        if (values.json) return io.out(JSON.stringify({ initial_access_token: token, expires_at: expiresAt, registration_endpoint: `${config.issuer}/reg`, enabled: config.dynamicRegistration }));
        io.out(`Initial access token (shown only now, valid until ${expiresAt}): ${token}`);
        io.out(config.dynamicRegistration ? `Clients register at ${config.issuer}/reg with Authorization: Bearer <token>.` : 'Dynamic registration is off: set DYNAMIC_REGISTRATION=on for /reg to accept it.');
      };
    }
    case 'list': {
      const { values } = parse(`clients ${sub}`, rest, {});
      return async ({ clients }, io) => {
        const all = await clients.listClients();
        if (values.json) return io.out(JSON.stringify({ clients: all }));
        if (!all.length) return io.out('No clients yet: latchkey clients create --name NAME --redirect-uri URI');
        table([['CLIENT_ID', 'NAME', 'TYPE', 'GRANT TYPES'], ...all.map((c) => [c.client_id, c.client_name, c.public ? 'public' : 'confidential', c.grant_types.join(',')])]).forEach(io.out);
      };
    }
    case 'show': {
      const { values, positionals } = parse(`clients ${sub}`, rest, {});
      const clientId = onePositional(positionals, 'CLIENT_ID', 'clients show');
      return async ({ clients }, io) => {
        const client = await clients.showClient(clientId);
        if (values.json) return io.out(JSON.stringify(client));
        describe(client, undefined).forEach(io.out);
      };
    }
    case 'delete': {
      const { values, positionals } = parse(`clients ${sub}`, rest, {});
      const clientId = onePositional(positionals, 'CLIENT_ID', 'clients delete');
      return async ({ clients }, io) => {
        await clients.deleteClient(clientId);
        io.out(values.json ? JSON.stringify({ client_id: clientId, deleted: true }) : `Deleted client ${clientId}`);
      };
    }
    case 'rotate-secret': {
      const { values, positionals } = parse(`clients ${sub}`, rest, {});
      const clientId = onePositional(positionals, 'CLIENT_ID', 'clients rotate-secret');
      return async ({ clients }, io) => {
        const secret = await clients.rotateClientSecret(clientId);
        io.out(values.json ? JSON.stringify({ client_id: clientId, client_secret: secret }) : `client_secret:  ${secret}  (shown once: the old secret no longer works)`);
      };
    }
    default:
      throw new UsageError(`unknown command "clients ${sub ?? ''}" (see latchkey clients --help)`);
  }
}
