// latchkey roles list|create|update|delete|members|permissions|grant-client|revoke-client
import { table, UsageError, type Execute } from '../io.ts';
import { count, onePositional, parse, required } from '../parse.ts';

export const rolesHelp = `latchkey roles list [--json]
latchkey roles create --name NAME [--description TEXT] [--default] [--json]
    A role people can hold (latchkey users grant-role); --default gives it to every new account.
latchkey roles update ROLE [--name NAME] [--description TEXT] [--default | --not-default] [--json]
    A new name is carried to everyone who holds the role. The admin role keeps its name.
latchkey roles permissions ROLE [--set RESOURCE#PERMISSION...] [--clear] [--json]
    Shows the permissions of API resources the role holds; --set makes them exactly those given
    (RESOURCE is the resource's identifier), --clear removes them all.
latchkey roles grant-client ROLE CLIENT_ID
latchkey roles revoke-client ROLE CLIENT_ID
    A machine client holding the role gets its permissions in client_credentials tokens for a resource.
latchkey roles delete ROLE
    Deletes the role and takes it from everyone who held it (not the admin role).
latchkey roles members ROLE [--limit N] [--json]
    Who holds the role, by address.`;

export function parseRolesCommand(args: string[]): Execute {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const { values } = parse('roles list', rest, {});
      return async ({ roles }, io) => {
        const all = await roles.list();
        if (values.json) return io.out(JSON.stringify({ roles: all }));
        table([['NAME', 'HOLDERS', 'DEFAULT', 'DESCRIPTION'], ...all.map((role) => [role.name, String(role.holders), role.is_default ? 'yes' : 'no', role.description || '—'])]).forEach(io.out);
      };
    }
    case 'create': {
      const { values } = parse('roles create', rest, { name: { type: 'string' }, description: { type: 'string' }, default: { type: 'boolean' } });
      const name = required(values.name, '--name', 'roles create');
      return async ({ roles }, io) => {
        const role = await roles.create({ name, description: values.description, isDefault: values.default ?? false });
        io.out(values.json ? JSON.stringify(role) : `Created role ${role.name} (id ${role.id})`);
      };
    }
    case 'update': {
      const { values, positionals } = parse('roles update', rest, {
        name: { type: 'string' }, description: { type: 'string' }, default: { type: 'boolean' }, 'not-default': { type: 'boolean' },
      });
      const which = onePositional(positionals, 'ROLE', 'roles update');
      if (values.default && values['not-default']) throw new UsageError('roles update takes --default or --not-default, not both');
      const isDefault = values.default ? true : values['not-default'] ? false : undefined;
      if (values.name === undefined && values.description === undefined && isDefault === undefined) throw new UsageError('roles update needs something to change (see latchkey roles --help)');
      return async ({ roles }, io) => {
        const role = await roles.update(which, { name: values.name, description: values.description, isDefault });
        io.out(values.json ? JSON.stringify(role) : `Updated role ${role.name}`);
      };
    }
    case 'permissions': {
      const { values, positionals } = parse('roles permissions', rest, { set: { type: 'string', multiple: true }, clear: { type: 'boolean' } });
      const which = onePositional(positionals, 'ROLE', 'roles permissions');
      if (values.set && values.clear) throw new UsageError('roles permissions takes --set or --clear, not both');
      const wanted = values.clear ? [] : values.set?.map((entry) => {
        const at = entry.lastIndexOf('#');
        if (at <= 0 || at === entry.length - 1) throw new UsageError(`roles permissions --set takes RESOURCE#PERMISSION, such as https://api.example.com#read:invoices; not ${entry}`);
        return { resource: entry.slice(0, at), permission: entry.slice(at + 1) };
      });
      return async ({ roles }, io) => {
        if (wanted) await roles.setPermissions(which, wanted);
        const held = await roles.permissions(which);
        if (values.json) return io.out(JSON.stringify({ role: which, permissions: held }));
        if (!held.length) return io.out(`${which} holds no permissions.`);
        table([['RESOURCE', 'PERMISSION'], ...held.map((entry) => [entry.resource, entry.permission])]).forEach(io.out);
      };
    }
    case 'grant-client':
    case 'revoke-client': {
      const { values, positionals } = parse(`roles ${sub}`, rest, {});
      if (positionals.length !== 2) throw new UsageError(`roles ${sub} takes ROLE CLIENT_ID (see latchkey roles --help)`);
      const [which, clientId] = positionals as [string, string];
      return async ({ roles }, io) => {
        const changed = sub === 'grant-client' ? await roles.grantToClient(which, clientId) : await roles.revokeFromClient(which, clientId);
        const now = await roles.clientRoles(clientId);
        io.out(values.json ? JSON.stringify({ client_id: clientId, roles: now, changed }) : `${clientId} holds ${now.join(', ') || 'no roles'}`);
      };
    }
    case 'delete': {
      const { values, positionals } = parse('roles delete', rest, {});
      const which = onePositional(positionals, 'ROLE', 'roles delete');
      return async ({ roles }, io) => {
        await roles.delete(which);
        io.out(values.json ? JSON.stringify({ deleted: which }) : `Deleted role ${which}`);
      };
    }
    case 'members': {
      const { values, positionals } = parse('roles members', rest, { limit: { type: 'string' } });
      const which = onePositional(positionals, 'ROLE', 'roles members');
      const limit = count(values.limit, '--limit', 'roles members', 100);
      return async ({ roles }, io) => {
        const { role, holders } = await roles.holders(which, { limit });
        if (values.json) return io.out(JSON.stringify({ role: role.name, members: holders }));
        if (!holders.length) return io.out(`Nobody holds ${role.name}.`);
        table([['ID', 'EMAIL'], ...holders.map((holder) => [holder.id, holder.email])]).forEach(io.out);
      };
    }
    default:
      throw new UsageError(`unknown command "roles ${sub ?? ''}" (see latchkey roles --help)`);
  }
}
