// latchkey resources create|list|show|update|delete
import { table, UsageError, type Execute } from '../io.ts';
import { count, onePositional, parse, required } from '../parse.ts';

export const resourcesHelp = `latchkey resources create --identifier URI --name NAME [--permission NAME[=DESCRIPTION]...]
                         [--token-ttl SECONDS] [--json]
    An API that accepts Latchkey's access tokens: an authorization or client_credentials request
    with resource=URI gets a JWT (RFC 9068) for it, whose scope holds the permissions asked for
    that the person's roles (or the machine client's) hold. --token-ttl: 60 to 3600 (default 3600).
latchkey resources list [--json]
latchkey resources show RESOURCE [--json]
latchkey resources update RESOURCE [--name NAME] [--permission NAME[=DESCRIPTION]...] [--token-ttl SECONDS] [--json]
    --permission replaces the whole list; a permission that goes leaves every role that held it.
latchkey resources delete RESOURCE
    RESOURCE is the identifier or the id.`;

const permissionsOf = (values: string[] | undefined) => values?.map((value) => {
  const at = value.indexOf('=');
  return at === -1 ? { name: value } : { name: value.slice(0, at), description: value.slice(at + 1) };
});

export function parseResourcesCommand(args: string[]): Execute {
  const [sub, ...rest] = args;
  const options = { name: { type: 'string' }, permission: { type: 'string', multiple: true }, 'token-ttl': { type: 'string' } } as const;
  switch (sub) {
    case 'create': {
      const { values } = parse('resources create', rest, { identifier: { type: 'string' }, ...options });
      const input = {
        identifier: required(values.identifier, '--identifier', 'resources create'), name: required(values.name, '--name', 'resources create'),
        permissions: permissionsOf(values.permission) ?? [],
        accessTokenTtl: values['token-ttl'] === undefined ? undefined : count(values['token-ttl'], '--token-ttl', 'resources create', 3600),
      };
      return async ({ apiResources }, io) => {
        const resource = await apiResources.create(input);
        io.out(values.json ? JSON.stringify(resource) : `Created API resource ${resource.identifier} (${resource.permissions.length} permission(s))`);
      };
    }
    case 'list': {
      const { values } = parse('resources list', rest, {});
      return async ({ apiResources }, io) => {
        const all = await apiResources.list();
        if (values.json) return io.out(JSON.stringify({ resources: all }));
        if (!all.length) return io.out('No API resources yet: latchkey resources create --identifier URI --name NAME');
        table([['IDENTIFIER', 'NAME', 'PERMISSIONS', 'TOKEN TTL'], ...all.map((r) => [r.identifier, r.name, r.permissions.map((p) => p.name).join(' ') || '—', `${r.access_token_ttl}s`])]).forEach(io.out);
      };
    }
    case 'show': {
      const { values, positionals } = parse('resources show', rest, {});
      const which = onePositional(positionals, 'RESOURCE', 'resources show');
      return async ({ apiResources }, io) => {
        const resource = await apiResources.find(which);
        if (values.json) return io.out(JSON.stringify(resource));
        [`identifier:  ${resource.identifier}`, `name:        ${resource.name}`, `token TTL:   ${resource.access_token_ttl}s`,
          ...resource.permissions.map((p) => `permission:  ${p.name}${p.description ? ` (${p.description})` : ''}`)].forEach(io.out);
      };
    }
    case 'update': {
      const { values, positionals } = parse('resources update', rest, options);
      const which = onePositional(positionals, 'RESOURCE', 'resources update');
      const change = {
        name: values.name, permissions: permissionsOf(values.permission),
        accessTokenTtl: values['token-ttl'] === undefined ? undefined : count(values['token-ttl'], '--token-ttl', 'resources update', 3600),
      };
      if (Object.values(change).every((value) => value === undefined)) throw new UsageError('resources update needs something to change (see latchkey resources --help)');
      return async ({ apiResources }, io) => {
        const resource = await apiResources.update(which, change);
        io.out(values.json ? JSON.stringify(resource) : `Updated API resource ${resource.identifier}`);
      };
    }
    case 'delete': {
      const { values, positionals } = parse('resources delete', rest, {});
      const which = onePositional(positionals, 'RESOURCE', 'resources delete');
      return async ({ apiResources }, io) => {
        await apiResources.delete(which);
        io.out(values.json ? JSON.stringify({ deleted: which }) : `Deleted API resource ${which}`);
      };
    }
    default:
      throw new UsageError(`unknown command "resources ${sub ?? ''}" (see latchkey resources --help)`);
  }
}
