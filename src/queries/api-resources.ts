// SQL for API resources, their permissions, the permissions roles hold, and machine clients' roles.
import type { Knex } from 'knex';

export interface ApiResourceRow {
  id: string;
  identifier: string;
  name: string;
  access_token_ttl: number;
  created_at: Date;
  updated_at: Date;
}

export interface PermissionRow {
  name: string;
  description: string;
}

export type ApiResourceWithPermissions = ApiResourceRow & { permissions: PermissionRow[] };

export function createApiResourceQueries(db: Knex) {
  const withPermissions = () => db('api_resources').select('api_resources.*', db.raw(
    `coalesce((select json_agg(json_build_object('name', p.name, 'description', p.description) order by p.name)
               from resource_permissions p where p.resource_id = api_resources.id), '[]'::json) as permissions`));
  return {
    async listApiResources(): Promise<ApiResourceWithPermissions[]> {
      return withPermissions().orderBy('identifier');
    },

    async maybeFindApiResource(idOrIdentifier: string): Promise<ApiResourceWithPermissions | undefined> {
      const query = withPermissions();
      if (/^[0-9a-f-]{36}$/i.test(idOrIdentifier)) query.where('id', idOrIdentifier);
      else query.where('identifier', idOrIdentifier);
      return query.first();
    },

    /** Inserts the resource; undefined when the identifier is taken. */
    async insertApiResource(row: Pick<ApiResourceRow, 'id' | 'identifier' | 'name' | 'access_token_ttl'>): Promise<ApiResourceRow | undefined> {
      const [inserted] = await db('api_resources').insert(row).onConflict('identifier').ignore().returning('*');
      return inserted;
    },

    async updateApiResource(id: string, change: Partial<Pick<ApiResourceRow, 'name' | 'access_token_ttl'>>): Promise<void> {
      await db('api_resources').where({ id }).update({ ...change, updated_at: db.fn.now() });
    },

    /** Makes the resource's permissions exactly these (a permission that goes leaves every role). */
    async replacePermissions(resourceId: string, permissions: PermissionRow[]): Promise<void> {
      const names = permissions.map((permission) => permission.name);
      await db('resource_permissions').where({ resource_id: resourceId }).whereNotIn('name', names).delete();
      if (permissions.length) {
        await db('resource_permissions').insert(permissions.map((permission) => ({ resource_id: resourceId, ...permission })))
          .onConflict(['resource_id', 'name']).merge(['description']);
      }
    },

    /** Holds the resource until the transaction ends (its permissions change one at a time); false when it is gone. */
    async lockApiResource(id: string): Promise<boolean> {
      const result = await db.raw<{ rows: unknown[] }>('select id from api_resources where id = ? for update', [id]);
      return result.rows.length > 0;
    },

    async countPermissions(resourceId: string): Promise<number> {
      const row = await db('resource_permissions').where({ resource_id: resourceId }).count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    },

    /** Adds one permission; false when the resource defines it already. */
    async insertPermission(resourceId: string, permission: PermissionRow): Promise<boolean> {
      return (await db('resource_permissions').insert({ resource_id: resourceId, ...permission })
        .onConflict(['resource_id', 'name']).ignore().returning('name')).length > 0;
    },

    /** Removes one permission (and so takes it from every role); false when there was none. */
    async deletePermission(resourceId: string, name: string): Promise<boolean> {
      return (await db('resource_permissions').where({ resource_id: resourceId, name }).delete()) > 0;
    },

    async deleteApiResource(id: string): Promise<boolean> {
      return (await db('api_resources').where({ id }).delete()) > 0;
    },

    /** The permissions a role holds, as (resource identifier, permission). */
    async listRolePermissions(roleId: string): Promise<Array<{ resource: string; permission: string }>> {
      return db('role_permissions as rp').join('api_resources as r', 'r.id', 'rp.resource_id')
        .where('rp.role_id', roleId).select('r.identifier as resource', 'rp.permission').orderBy(['r.identifier', 'rp.permission']);
    },

    /** Makes the role's permissions exactly these; false when one names a resource or permission that does not exist. */
    async replaceRolePermissions(roleId: string, permissions: Array<{ resource: string; permission: string }>): Promise<boolean> {
      const rows = permissions.length ? await db('resource_permissions as p').join('api_resources as r', 'r.id', 'p.resource_id')
        .whereIn(['r.identifier', 'p.name'], permissions.map((entry) => [entry.resource, entry.permission]))
        .select('p.resource_id', 'p.name') : [];
      if (rows.length !== new Set(permissions.map((entry) => `${entry.resource}\n${entry.permission}`)).size) return false;
      await db('role_permissions').where({ role_id: roleId }).delete();
      if (rows.length) await db('role_permissions').insert(rows.map((row: { resource_id: string; name: string }) => ({ role_id: roleId, resource_id: row.resource_id, permission: row.name })));
      return true;
    },

    /** Of a resource's permissions, those held through these role names (a person's). */
    async permissionsOfRoleNames(identifier: string, roleNames: string[]): Promise<string[]> {
      if (!roleNames.length) return [];
      const result = await db.raw<{ rows: Array<{ permission: string }> }>(
        `select distinct rp.permission from role_permissions rp
         join roles ro on ro.id = rp.role_id join api_resources r on r.id = rp.resource_id
         where r.identifier = ? and ro.name = any(?::text[]) order by 1`, [identifier, roleNames]);
      return result.rows.map((row) => row.permission);
    },

    /** Of a resource's permissions, those a machine client holds through its roles. */
    async permissionsOfClient(identifier: string, clientId: string): Promise<string[]> {
      const result = await db.raw<{ rows: Array<{ permission: string }> }>(
        `select distinct rp.permission from role_permissions rp
         join client_roles cr on cr.role_id = rp.role_id join api_resources r on r.id = rp.resource_id
         where r.identifier = ? and cr.client_id = ? order by 1`, [identifier, clientId]);
      return result.rows.map((row) => row.permission);
    },

    /** The machine clients that hold a role, by name. */
    async listRoleClients(roleId: string): Promise<Array<{ client_id: string; name: string }>> {
      return db('client_roles as cr').join('clients as c', 'c.client_id', 'cr.client_id').where('cr.role_id', roleId)
        .orderBy(['c.name', 'c.client_id']).select('c.client_id', 'c.name');
    },

    async listClientRoles(clientId: string): Promise<string[]> {
      return (await db('client_roles as cr').join('roles as r', 'r.id', 'cr.role_id').where('cr.client_id', clientId).orderBy('r.name').select('r.name')).map((row: { name: string }) => row.name);
    },

    async addClientRole(clientId: string, roleId: string): Promise<boolean> {
      return (await db('client_roles').insert({ client_id: clientId, role_id: roleId }).onConflict(['client_id', 'role_id']).ignore().returning('role_id')).length > 0;
    },

    async removeClientRole(clientId: string, roleId: string): Promise<boolean> {
      return (await db('client_roles').where({ client_id: clientId, role_id: roleId }).delete()) > 0;
    },
  };
}
