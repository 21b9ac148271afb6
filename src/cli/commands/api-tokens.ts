// latchkey api-tokens create|list|revoke
import { MACHINE_SCOPES } from '../../config/scopes.ts';
import { table, UsageError, type Execute } from '../io.ts';
import { onePositional, parse, periodSeconds, required } from '../parse.ts';

export const apiTokensHelp = `latchkey api-tokens create --name NAME --scope SCOPE... [--expires-in PERIOD|never] [--json]
    Makes a bearer token for the admin API and SCIM and prints it (shown once; only a keyed hash is kept).
    --scope: ${MACHINE_SCOPES.join(', ')} (admin: everything; admin:read: the admin API's reads; scim: SCIM)
    --expires-in: 12h, 90d, 8w … (default 90d), or never
latchkey api-tokens list [--json]
latchkey api-tokens revoke ID
    Refuses the token from now on.`;

export function parseApiTokensCommand(args: string[]): Execute {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse('api-tokens create', rest, {
        name: { type: 'string' }, scope: { type: 'string', multiple: true }, 'expires-in': { type: 'string' },
      });
      if (positionals.length) throw new UsageError('api-tokens create takes no positional arguments (see latchkey api-tokens --help)');
      const name = required(values.name, '--name', 'api-tokens create');
      if (!values.scope?.length) throw new UsageError('api-tokens create needs --scope (see latchkey api-tokens --help)');
      const expiry = values['expires-in'] ?? '90d';
      const expiresInSeconds = expiry === 'never' ? null : periodSeconds(expiry, '--expires-in');
      return async ({ apiTokens }, io) => {
        const { token, apiToken } = await apiTokens.create({ name, scopes: values.scope, expiresInSeconds });
        if (values.json) return io.out(JSON.stringify({ ...apiToken, token }));
        io.out(`Created API token ${apiToken.name} (id ${apiToken.id}), scopes ${apiToken.scopes.join(' ')}, ${apiToken.expires_at ? `expires ${apiToken.expires_at}` : 'never expires'}.`);
        io.out(`Token (shown only now): ${token}`);
      };
    }
    case 'list': {
      const { positionals, values } = parse('api-tokens list', rest, {});
      if (positionals.length) throw new UsageError('api-tokens list takes no positional arguments (see latchkey api-tokens --help)');
      return async ({ apiTokens }, io) => {
        const all = await apiTokens.list();
        if (values.json) return io.out(JSON.stringify({ api_tokens: all }));
        if (!all.length) return io.out('No API tokens yet: latchkey api-tokens create --name NAME --scope admin');
        table([['ID', 'NAME', 'SCOPES', 'STATE', 'EXPIRES', 'LAST USED'], ...all.map((t) => [
          t.id, t.name, t.scopes.join(' '), t.state, t.expires_at ?? 'never', t.last_used_at ?? 'never',
        ])]).forEach(io.out);
      };
    }
    case 'revoke': {
      const { positionals, values } = parse('api-tokens revoke', rest, {});
      const id = onePositional(positionals, 'ID', 'api-tokens revoke');
      return async ({ apiTokens }, io) => {
        await apiTokens.revoke(id);
        io.out(values.json ? JSON.stringify({ revoked: id }) : `Revoked API token ${id}`);
      };
    }
    default:
      throw new UsageError(`unknown command "api-tokens ${sub ?? ''}" (see latchkey api-tokens --help)`);
  }
}
