// latchkey clients create|list|show|delete|rotate-secret
import type { ClientSummary } from '../../libraries/clients.ts';
import type { Services } from '../../services.ts';
import { table, UsageError, type CommandIo } from '../io.ts';
import { onePositional, parse, required } from '../parse.ts';

export const clientsHelp = `latchkey clients create --name NAME --redirect-uri URI... [--post-logout-redirect-uri URI...]
                       [--public] [--grant-type TYPE...] [--scope SCOPE...] [--skip-consent] [--logo-uri URL] [--json]
    Registers a relying party and prints its client_id and, for a confidential client, its secret (shown once).
    --grant-type: authorization_code, refresh_token, client_credentials (default: the first two)
    --scope: limits the scopes the client may ask for (openid, email, profile, offline_access)
    --skip-consent: a first-party app; its users are not asked for consent
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
    `type:           ${client.public ? 'public (PKCE, no secret)' : 'confidential'}`,
    `grant types:    ${client.grant_types.join(', ')}`,
    `redirect URIs:  ${client.redirect_uris.join(', ') || '—'}`,
    `logout URIs:    ${client.post_logout_redirect_uris.join(', ') || '—'}`,
    `scopes:         ${client.scope ?? 'any'}`,
    `skip consent:   ${client.skip_consent ? 'yes' : 'no'}`,
  ];
}

export async function clientsCommand(args: string[], services: Services, io: CommandIo): Promise<void> {
  const [sub, ...rest] = args;
  const print = (json: boolean | undefined, value: object, lines: string[]) => (json ? io.out(JSON.stringify(value)) : lines.forEach(io.out));

  switch (sub) {
    case 'create': {
      const { values } = parse('clients', rest, {
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        public: { type: 'boolean' },
        'grant-type': { type: 'string', multiple: true },
        scope: { type: 'string', multiple: true },
        'skip-consent': { type: 'boolean' },
        'logo-uri': { type: 'string' },
      });
      const { client, clientSecret } = await services.clients.createClient({
        name: required(values.name, '--name', 'clients'),
        redirectUris: values['redirect-uri'] ?? [],
        postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
        isPublic: values.public ?? false,
        grantTypes: values['grant-type'] ?? [],
        scopes: (values.scope ?? []).flatMap((scope) => scope.split(/[\s,]+/)).filter(Boolean),
        skipConsent: values['skip-consent'] ?? false,
        logoUri: values['logo-uri'],
      });
      return print(values.json, { ...client, ...(clientSecret ? { client_secret: clientSecret } : {}) }, [`Created client "${client.client_name}"`, ...describe(client, clientSecret)]);
    }
    case 'list': {
      const { values } = parse('clients', rest, {});
      const clients = await services.clients.listClients();
      if (values.json) return io.out(JSON.stringify({ clients }));
      if (!clients.length) return io.out('No clients yet: latchkey clients create --name NAME --redirect-uri URI');
      return table([['CLIENT_ID', 'NAME', 'TYPE', 'GRANT TYPES'], ...clients.map((c) => [c.client_id, c.client_name, c.public ? 'public' : 'confidential', c.grant_types.join(',')])]).forEach(io.out);
    }
    case 'show': {
      const { values, positionals } = parse('clients', rest, {});
      const client = await services.clients.showClient(onePositional(positionals, 'CLIENT_ID', 'clients show'));
      return print(values.json, client, describe(client, undefined));
    }
    case 'delete': {
      const { values, positionals } = parse('clients', rest, {});
      const clientId = onePositional(positionals, 'CLIENT_ID', 'clients delete');
      await services.clients.deleteClient(clientId);
      return print(values.json, { client_id: clientId, deleted: true }, [`Deleted client ${clientId}`]);
    }
    case 'rotate-secret': {
      const { values, positionals } = parse('clients', rest, {});
      const clientId = onePositional(positionals, 'CLIENT_ID', 'clients rotate-secret');
      const secret = await services.clients.rotateClientSecret(clientId);
      return print(values.json, { client_id: clientId, client_secret: secret }, [`client_secret:  ${secret}  (shown once: the old secret no longer works)`]);
    }
    default:
      throw new UsageError(`unknown command "clients ${sub ?? ''}" (see latchkey clients --help)`);
  }
}
