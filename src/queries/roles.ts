// SQL for roles and who holds them (accounts.roles holds the names).
import type { Knex } from 'knex';

export interface RoleRow {
  id: string;
  name: string;
  description: string;
  is_default: boolean;
  /** 'scim' for a role a directory made; null for the organisation's own. */
  source: string | null;
  created_at: Date;
  updated_at: Date;
}

export type RoleWithCount = RoleRow & { holders: number };

export function createRoleQueries(db: Knex) {
  const withCount = () => db<RoleRow>('roles').select('roles.*', db.raw('(select count(*)::int from accounts where roles.name = any(accounts.roles)) as holders'));
  return {
    async listRoles(filter: { name?: string } = {}): Promise<RoleWithCount[]> {
      const query = withCount().orderByRaw('lower(name)');
      if (filter.name !== undefined) query.whereRaw('lower(name) = lower(?)', [filter.name]);
      return query as never;
    },

    async maybeFindRole(id: string): Promise<RoleWithCount | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      return withCount().where('id', id).first() as never;
    },

    async maybeFindRoleByName(name: string): Promise<RoleWithCount | undefined> {
      return withCount().whereRaw('lower(name) = lower(?)', [name]).first() as never;
    },

    /** Inserts the role, or returns undefined when the name (in any letter case) is taken. */
    async insertRole(role: Pick<RoleRow, 'id' | 'name' | 'description' | 'is_default' | 'source'>): Promise<RoleRow | undefined> {
      const result = await db.raw<{ rows: RoleRow[] }>(
        `insert into roles (id, name, description, is_default, source) values (:id, :name, :description, :is_default, :source)
         on conflict ((lower(name))) do nothing returning *`, role);
      return result.rows[0];
    },

    /** Changes a role; a new name is carried to every holder. False when the new name is another role's. */
    async updateRole(id: string, oldName: string, change: Partial<Pick<RoleRow, 'name' | 'description' | 'is_default'>>): Promise<boolean> {
      const query = db('roles').where({ id });
      if (change.name !== undefined) query.whereNotExists((other) => other.from('roles as other').whereRaw('lower(other.name) = lower(?)', [change.name!]).andWhereNot('other.id', id));
      if (!(await query.update({ ...change, updated_at: db.fn.now() }))) return false;
      if (change.name !== undefined && change.name !== oldName) {
        await db.raw('update accounts set roles = array_replace(roles, :old, :new), updated_at = now() where :old = any(roles)', { old: oldName, new: change.name });
      }
      return true;
    },

    /** Deletes the role and takes it from everyone who held it; how many held it. */
    async deleteRole(id: string, name: string): Promise<number> {
      const result = await db.raw<{ rowCount: number }>('update accounts set roles = array_remove(roles, :name), updated_at = now() where :name = any(roles)', { name });
      await db('roles').where({ id }).delete();
      return result.rowCount ?? 0;
    },

    /** The ids and addresses of the role's holders, by address, a page at a time. */
    async listRoleHolders(name: string, page: { afterEmail?: string; limit: number }): Promise<Array<{ id: string; email: string }>> {
      const query = db('accounts').select('id', 'email').whereRaw('? = any(roles)', [name]).orderByRaw('lower(email)').limit(page.limit);
      if (page.afterEmail !== undefined) query.whereRaw('lower(email) > lower(?)', [page.afterEmail]);
      return query;
    },

    /**
     * Holds the roles (by name) until the transaction ends, so that none is renamed or deleted
     * while it is given: a name left behind would pass to a later role of that name. False when
     * one of them is gone.
     */
    async lockRoles(names: string[], mode: 'share' | 'update' = 'share'): Promise<boolean> {
      if (!names.length) return true;
      const result = await db.raw<{ rows: unknown[] }>(`select id from roles where name = any(?::text[]) for ${mode === 'share' ? 'share' : 'update'}`, [names]);
      return result.rows.length === new Set(names).size;
    },

    /** Holds one role by id until the transaction ends and gives its name as it is now; undefined when it is gone. */
    async lockRole(id: string, mode: 'share' | 'update'): Promise<string | undefined> {
      const result = await db.raw<{ rows: Array<{ name: string }> }>(`select name from roles where id = ? for ${mode === 'share' ? 'share' : 'update'}`, [id]);
      return result.rows[0]?.name;
    },

    /** Every default role, held while new accounts get them. */
    async lockDefaultRoles(): Promise<void> {
      await db.raw('select id from roles where is_default for share');
    },

    /** Gives the account the role; false when it held it already. */
    async addAccountRole(accountId: string, name: string): Promise<boolean> {
      return (await db('accounts').where({ id: accountId }).whereRaw('not (? = any(roles))', [name])
        .update({ roles: db.raw('array_append(roles, ?)', [name]), updated_at: db.fn.now() })) > 0;
    },

    /** Takes the role from the account; false when it did not hold it. */
    async removeAccountRole(accountId: string, name: string): Promise<boolean> {
      return (await db('accounts').where({ id: accountId }).whereRaw('? = any(roles)', [name])
        .update({ roles: db.raw('array_remove(roles, ?)', [name]), updated_at: db.fn.now() })) > 0;
    },
  };
}
