// API resources: the APIs that accept Latchkey's access tokens, each named by its resource
// indicator (RFC 8707) and defining permissions (such as read:invoices) that roles hold. A token
// asked for with resource=<identifier> is a JWT (RFC 9068) for that audience whose scope holds
// only the permissions asked for that the subject's roles (a person's, or a machine client's) hold.
import crypto from 'node:crypto';
import { PROVIDER_SCOPES } from '../config/scopes.ts';
import type { ApiResourceWithPermissions, PermissionRow } from '../queries/api-resources.ts';
import type { Queries } from '../queries/index.ts';
import { recordAudit } from './audit/audit-log.ts';
import { assertThat, RequestError } from './errors.ts';

export const DEFAULT_ACCESS_TOKEN_TTL = 3600;

export function presentApiResource(resource: ApiResourceWithPermissions) {
  return {
    id: resource.id, identifier: resource.identifier, name: resource.name, access_token_ttl: resource.access_token_ttl,
    permissions: resource.permissions, created_at: new Date(resource.created_at).toISOString(), updated_at: new Date(resource.updated_at).toISOString(),
  };
}

export type PresentedApiResource = ReturnType<typeof presentApiResource>;

function checkIdentifier(value: unknown): string {
  const identifier = typeof value === 'string' ? value.trim() : '';
  const url = URL.parse(identifier);
  assertThat(identifier.length <= 500 && url !== null && !identifier.includes('#') && !/[\s\p{Cc}]/u.test(identifier), 'invalid_identifier',
    'The identifier is an absolute URI without a fragment, such as https://api.example.com/invoices (RFC 8707).');
  return identifier;
}

const MAX_PERMISSIONS = 200;
/** A permission is a scope value: what a client asks for in `scope`. */
const PERMISSION_NAME = /^[\w:.\-/*]{1,100}$/;

function checkPermissions(value: unknown): PermissionRow[] {
  assertThat(Array.isArray(value) && value.length <= MAX_PERMISSIONS, 'invalid_permissions', `Give at most ${MAX_PERMISSIONS} permissions.`);
  const seen = new Set<string>();
  return (value as unknown[]).map((entry) => {
    const { name, description = '' } = (typeof entry === 'string' ? { name: entry } : entry) as { name?: unknown; description?: unknown };
    assertThat(typeof name === 'string' && PERMISSION_NAME.test(name), 'invalid_permissions',
      `A permission is 1 to 100 letters, digits and _ : . - / * (a scope value), such as read:invoices; not ${JSON.stringify(name)}.`);
    assertThat(!PROVIDER_SCOPES.includes(name), 'invalid_permissions', `${name} is one of Latchkey's own scopes.`);
    assertThat(!seen.has(name), 'invalid_permissions', `${name} is given twice.`);
    seen.add(name);
    assertThat(typeof description === 'string' && description.length <= 200 && !/\p{Cc}/u.test(description), 'invalid_permissions', 'A permission\'s description is at most 200 characters.');
    return { name, description };
  });
}

function checkTtl(value: unknown): number {
  // Capped at an hour: a JWT is not stored, so disabling a person or taking a role reaches it only when it expires.
  assertThat(Number.isInteger(value) && (value as number) >= 60 && (value as number) <= 3600, 'invalid_ttl', 'Access tokens live 60 to 3600 seconds.');
  return value as number;
}

export function createApiResources({ queries }: { queries: Queries }) {
  async function find(idOrIdentifier: string): Promise<ApiResourceWithPermissions> {
    const resource = await queries.apiResources.maybeFindApiResource(idOrIdentifier);
    if (!resource) throw new RequestError('resource_not_found', 404, `No API resource ${idOrIdentifier}.`);
    return resource;
  }

  return {
    list: async () => (await queries.apiResources.listApiResources()).map(presentApiResource),
    find: async (idOrIdentifier: string) => presentApiResource(await find(idOrIdentifier)),
    /** The resource a token may be asked for with this indicator, or undefined. */
    maybeFindByIdentifier: (identifier: string) => queries.apiResources.maybeFindApiResource(identifier),

    async create(input: { identifier: unknown; name: unknown; permissions?: unknown; accessTokenTtl?: unknown }): Promise<PresentedApiResource> {
      const identifier = checkIdentifier(input.identifier);
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      assertThat(name.length > 0 && name.length <= 100 && !/\p{Cc}/u.test(name), 'invalid_name', 'The name is 1 to 100 characters.');
      const permissions = checkPermissions(input.permissions ?? []);
      const ttl = input.accessTokenTtl === undefined ? DEFAULT_ACCESS_TOKEN_TTL : checkTtl(input.accessTokenTtl);
      const id = await queries.transaction(async (q) => {
        const row = await q.apiResources.insertApiResource({ id: crypto.randomUUID(), identifier, name, access_token_ttl: ttl });
        if (!row) throw new RequestError('resource_exists', 409, `An API resource ${identifier} exists already.`);
        await q.apiResources.replacePermissions(row.id, permissions);
        await recordAudit(q, { type: 'resource.created', details: { resource: identifier, permissions: permissions.map((p) => p.name) } });
        return row.id;
      });
      return presentApiResource(await find(id));
    },

    /** Renames it, changes its token lifetime, or makes its permissions exactly those given. */
    async update(idOrIdentifier: string, change: { name?: unknown; permissions?: unknown; accessTokenTtl?: unknown }): Promise<PresentedApiResource> {
      const resource = await find(idOrIdentifier);
      const name = change.name === undefined ? undefined : typeof change.name === 'string' ? change.name.trim() : '';
      assertThat(name === undefined || (name.length > 0 && name.length <= 100 && !/\p{Cc}/u.test(name)), 'invalid_name', 'The name is 1 to 100 characters.');
      const permissions = change.permissions === undefined ? undefined : checkPermissions(change.permissions);
      const ttl = change.accessTokenTtl === undefined ? undefined : checkTtl(change.accessTokenTtl);
      await queries.transaction(async (q) => {
        await q.apiResources.updateApiResource(resource.id, { ...(name !== undefined ? { name } : {}), ...(ttl !== undefined ? { access_token_ttl: ttl } : {}) });
        if (permissions) await q.apiResources.replacePermissions(resource.id, permissions);
        await recordAudit(q, { type: 'resource.updated', details: { resource: resource.identifier, fields: Object.keys(change).filter((key) => change[key as keyof typeof change] !== undefined) } });
      });
      return presentApiResource(await find(resource.id));
    },

    /**
     * Adds one permission to what the resource defines (what `update` would do with the whole
     * list plus this one, without losing one another admin added meanwhile).
     */
    async addPermission(idOrIdentifier: string, input: { name: unknown; description?: unknown }): Promise<void> {
      const resource = await find(idOrIdentifier);
      const [permission] = checkPermissions([{ name: input.name, description: input.description ?? '' }]);
      await queries.transaction(async (q) => {
        if (!(await q.apiResources.lockApiResource(resource.id))) throw new RequestError('resource_not_found', 404, `No API resource ${idOrIdentifier}.`);
        assertThat(await q.apiResources.countPermissions(resource.id) < MAX_PERMISSIONS, 'invalid_permissions', `An API resource defines at most ${MAX_PERMISSIONS} permissions.`);
        if (!(await q.apiResources.insertPermission(resource.id, permission!))) {
          throw new RequestError('permission_exists', 409, `${resource.identifier} defines ${permission!.name} already.`);
        }
        await recordAudit(q, { type: 'resource.updated', details: { resource: resource.identifier, fields: ['permissions'], added: permission!.name } });
      });
    },

    /** Takes one permission from the resource, and so from every role that held it. */
    async removePermission(idOrIdentifier: string, name: string): Promise<void> {
      const resource = await find(idOrIdentifier);
      await queries.transaction(async (q) => {
        if (!PERMISSION_NAME.test(name) || !(await q.apiResources.deletePermission(resource.id, name))) {
          throw new RequestError('permission_not_found', 404, `${resource.identifier} defines no permission ${name}.`);
        }
        await recordAudit(q, { type: 'resource.updated', details: { resource: resource.identifier, fields: ['permissions'], removed: name } });
      });
    },

    /** The machine clients that hold a role (its permissions go into their client_credentials tokens). */
    clientsWithRole: (roleId: string) => queries.apiResources.listRoleClients(roleId),

    async delete(idOrIdentifier: string): Promise<void> {
      const resource = await find(idOrIdentifier);
      await queries.transaction(async (q) => {
        await q.apiResources.deleteApiResource(resource.id);
        await recordAudit(q, { type: 'resource.deleted', details: { resource: resource.identifier } });
      });
    },

    /**
     * Of the resource's permissions, those the subject holds: a person through the roles on their
     * account, a machine client (client_credentials) through its own roles.
     */
    async permittedScopes(identifier: string, subject: { accountId?: string; clientId?: string }): Promise<string[]> {
      if (subject.accountId) {
        const account = await queries.accounts.maybeFindAccountById(subject.accountId);
        return account && !account.disabled ? queries.apiResources.permissionsOfRoleNames(identifier, account.roles) : [];
      }
      return subject.clientId ? queries.apiResources.permissionsOfClient(identifier, subject.clientId) : [];
    },
  };
}

export type ApiResources = ReturnType<typeof createApiResources>;
