// Roles: named sets of people (admin is built in; others are an organisation's own, such as
// "editor"), each with a description and whether every new account gets it. People hold roles
// by name; relying parties see them in the "roles" claim (scope roles). Every change is audited.
import crypto from 'node:crypto';
import type { Queries } from '../queries/index.ts';
import type { RoleWithCount } from '../queries/roles.ts';
import { recordAudit } from './audit/audit-log.ts';
import { assertThat, RequestError } from './errors.ts';

export const ADMIN_ROLE = 'admin';

/**
 * Inside a transaction that is about to take away `accountId`'s admin power (its admin role, or
 * the account, by disabling or deleting it): refuses when no other enabled admin would remain,
 * so no door (console, API, CLI) can leave an installation without one. The admins stay locked
 * until the transaction ends, so two such changes at once are decided one after the other.
 */
export async function assertAnotherAdminRemains(q: Queries, accountId: string): Promise<void> {
  const admins = await q.accounts.lockActiveHolders(ADMIN_ROLE);
  if (admins.includes(accountId) && admins.length === 1) {
    throw new RequestError('last_admin', 409, 'This is the only enabled admin: make someone else an admin first.');
  }
}

export function presentRole(role: RoleWithCount) {
  return {
    id: role.id, name: role.name, description: role.description, is_default: role.is_default, built_in: role.name === ADMIN_ROLE,
    made_by_directory: role.source === 'scim',
    holders: role.holders, created_at: role.created_at.toISOString(), updated_at: role.updated_at.toISOString(),
  };
}

export type PresentedRole = ReturnType<typeof presentRole>;

function checkName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  assertThat(/^[\p{L}\p{N}][\p{L}\p{N} _.:-]{0,63}$/u.test(name), 'invalid_role_name',
    'A role name is 1 to 64 letters, digits, spaces and _ . : -, starting with a letter or digit.');
  return name;
}

function checkDescription(value: unknown): string {
  const description = typeof value === 'string' ? value.trim() : '';
  assertThat(description.length <= 500 && !/\p{Cc}/u.test(description), 'invalid_description', 'A description is at most 500 characters, without control characters.');
  return description;
}

export function createRoles({ queries }: { queries: Queries }) {
  async function find(idOrName: string): Promise<RoleWithCount> {
    const role = await queries.roles.maybeFindRole(idOrName) ?? await queries.roles.maybeFindRoleByName(idOrName);
    if (!role) throw new RequestError('role_not_found', 404, `No role ${idOrName}.`);
    return role;
  }

  async function account(accountId: string) {
    const found = await queries.accounts.maybeFindAccountById(accountId);
    if (!found) throw new RequestError('account_not_found', 404, `No account ${accountId}.`);
    return found;
  }

  return {
    find: async (idOrName: string) => presentRole(await find(idOrName)),

    list: async (filter: { name?: string } = {}) => (await queries.roles.listRoles(filter)).map(presentRole),

    async create(input: { name: unknown; description?: unknown; isDefault?: boolean; byDirectory?: boolean }): Promise<PresentedRole> {
      const name = checkName(input.name);
      const description = checkDescription(input.description);
      return queries.transaction(async (q) => {
        const role = await q.roles.insertRole({ id: crypto.randomUUID(), name, description, is_default: input.isDefault ?? false, source: input.byDirectory ? 'scim' : null });
        if (!role) throw new RequestError('role_exists', 409, `A role named ${name} exists already.`);
        await recordAudit(q, { type: 'role.created', details: { role_id: role.id, role: name, is_default: role.is_default } });
        return presentRole({ ...role, holders: 0 });
      });
    },

    async update(idOrName: string, change: { name?: unknown; description?: unknown; isDefault?: boolean }): Promise<PresentedRole> {
      const role = await find(idOrName);
      const update: { name?: string; description?: string; is_default?: boolean } = {};
      if (change.name !== undefined) update.name = checkName(change.name);
      if (change.description !== undefined) update.description = checkDescription(change.description);
      if (change.isDefault !== undefined) update.is_default = change.isDefault;
      assertThat(role.name !== ADMIN_ROLE || update.name === undefined || update.name === ADMIN_ROLE, 'built_in_role', 'The admin role cannot be renamed.', 409);
      assertThat(role.name !== ADMIN_ROLE || !update.is_default, 'built_in_role', 'New accounts cannot be made admins by default.', 409);
      const fields = Object.keys(update).filter((key) => update[key as keyof typeof update] !== role[key as keyof RoleWithCount]);
      if (!fields.length) return presentRole(role);
      await queries.transaction(async (q) => {
        const current = await q.roles.lockRole(role.id, 'update'); // renamed meanwhile: carry that name, not the one read before
        if (current === undefined) throw new RequestError('role_not_found', 404, `No role ${idOrName}.`);
        if (!(await q.roles.updateRole(role.id, current, update))) throw new RequestError('role_exists', 409, `A role named ${update.name} exists already.`);
        await recordAudit(q, { type: 'role.updated', details: { role_id: role.id, role: update.name ?? role.name, fields } });
      });
      return presentRole(await find(role.id));
    },

    /** Deletes the role and takes it from everyone who held it. */
    async delete(idOrName: string): Promise<void> {
      const role = await find(idOrName);
      assertThat(role.name !== ADMIN_ROLE, 'built_in_role', 'The admin role cannot be deleted.', 409);
      await queries.transaction(async (q) => {
        const current = await q.roles.lockRole(role.id, 'update');
        if (current === undefined) throw new RequestError('role_not_found', 404, `No role ${idOrName}.`);
        const held = await q.roles.deleteRole(role.id, current);
        await recordAudit(q, { type: 'role.deleted', details: { role_id: role.id, role: role.name, holders: held } });
      });
    },

    /** Who holds the role, by address, a page at a time. */
    async holders(idOrName: string, page: { afterEmail?: string; limit: number }) {
      const role = await find(idOrName);
      return { role: presentRole(role), holders: await queries.roles.listRoleHolders(role.name, page) };
    },

    /** The permissions the role holds, as (resource identifier, permission). */
    permissions: async (idOrName: string) => queries.apiResources.listRolePermissions((await find(idOrName)).id),

    /** Makes the role's permissions exactly these; each must be a permission its resource defines. */
    async setPermissions(idOrName: string, permissions: Array<{ resource: string; permission: string }>): Promise<void> {
      const role = await find(idOrName);
      await queries.transaction(async (q) => {
        if (!(await q.apiResources.replaceRolePermissions(role.id, permissions))) {
          throw new RequestError('invalid_permissions', 400, 'A permission is not one its API resource defines (see latchkey resources list).');
        }
        await recordAudit(q, { type: 'role.updated', details: { role_id: role.id, role: role.name, fields: ['permissions'], permissions } });
      });
    },

    /** The roles a machine client holds (their permissions go into its client_credentials tokens). */
    clientRoles: (clientId: string) => queries.apiResources.listClientRoles(clientId),

    async grantToClient(idOrName: string, clientId: string): Promise<boolean> {
      const role = await find(idOrName);
      if (!(await queries.clients.maybeFindClient(clientId))) throw new RequestError('client_not_found', 404, `No client ${clientId}.`);
      return queries.transaction(async (q) => {
        if (!(await q.apiResources.addClientRole(clientId, role.id))) return false;
        await recordAudit(q, { type: 'role.granted', clientId, details: { role: role.name, role_id: role.id } });
        return true;
      });
    },

    async revokeFromClient(idOrName: string, clientId: string): Promise<boolean> {
      const role = await find(idOrName);
      return queries.transaction(async (q) => {
        if (!(await q.apiResources.removeClientRole(clientId, role.id))) return false;
        await recordAudit(q, { type: 'role.revoked', clientId, details: { role: role.name, role_id: role.id } });
        return true;
      });
    },

    /**
     * Gives the role to some accounts and takes it from others, all in one transaction: an
     * account that does not exist changes nothing at all (404).
     */
    async changeMembers(idOrName: string, { add = [], remove = [] }: { add?: string[]; remove?: string[] }): Promise<void> {
      const role = await find(idOrName);
      await queries.transaction(async (q) => {
        const name = await q.roles.lockRole(role.id, 'share');
        if (name === undefined) throw new RequestError('role_not_found', 404, `No role ${idOrName}.`);
        for (const accountId of new Set(add)) {
          if (!(await q.accounts.maybeFindAccountById(accountId))) throw new RequestError('account_not_found', 404, `No account ${accountId}.`);
          if (await q.roles.addAccountRole(accountId, name)) await recordAudit(q, { type: 'role.granted', subjectId: accountId, details: { role: name, role_id: role.id } });
        }
        for (const accountId of new Set(remove)) {
          if (name === ADMIN_ROLE) await assertAnotherAdminRemains(q, accountId);
          if (await q.roles.removeAccountRole(accountId, name)) await recordAudit(q, { type: 'role.revoked', subjectId: accountId, details: { role: name, role_id: role.id } });
        }
      });
    },

    /** Gives the account the role; nothing changes (or is recorded) when it holds it already. */
    async grant(idOrName: string, accountId: string): Promise<boolean> {
      const role = await find(idOrName);
      await account(accountId);
      return queries.transaction(async (q) => {
        const name = await q.roles.lockRole(role.id, 'share'); // as it is now: a rename meanwhile must not leave the old name behind
        if (name === undefined) throw new RequestError('role_not_found', 404, `No role ${idOrName}.`);
        if (!(await q.roles.addAccountRole(accountId, name))) return false;
        await recordAudit(q, { type: 'role.granted', subjectId: accountId, details: { role: name, role_id: role.id } });
        return true;
      });
    },

    /** Takes the role from the account; nothing changes when it did not hold it. */
    async revoke(idOrName: string, accountId: string): Promise<boolean> {
      const role = await find(idOrName);
      await account(accountId);
      return queries.transaction(async (q) => {
        const name = await q.roles.lockRole(role.id, 'share');
        if (name === undefined) throw new RequestError('role_not_found', 404, `No role ${idOrName}.`);
        if (name === ADMIN_ROLE) await assertAnotherAdminRemains(q, accountId);
        if (!(await q.roles.removeAccountRole(accountId, name))) return false;
        await recordAudit(q, { type: 'role.revoked', subjectId: accountId, details: { role: name, role_id: role.id } });
        return true;
      });
    },
  };
}

export type Roles = ReturnType<typeof createRoles>;
