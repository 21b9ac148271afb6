// /roles: the roles people hold; who holds each; giving and taking them.
import { z } from 'zod';
import { defineRoute } from './define-route.ts';
import { pageQuery, timestamp } from './schemas.ts';

const tag = 'Roles';

const roleSchema = z.object({
  id: z.string(), name: z.string(), description: z.string(), is_default: z.boolean().describe('Every new account gets it'),
  built_in: z.boolean().describe('admin: cannot be renamed or deleted'),
  made_by_directory: z.boolean().describe('Made over SCIM: the directory may rename it, delete it and change its members'), holders: z.number().int(), created_at: timestamp, updated_at: timestamp,
});
const params = z.object({ id: z.string().uuid('must be a role id (a UUID)') });
const memberParams = params.extend({ account_id: z.string().uuid('must be an account id (a UUID)') });
const fields = { name: z.string().min(1).max(64), description: z.string().max(500), is_default: z.boolean() };
const membership = z.object({ changed: z.boolean().describe('false: nothing to do (held already, or not held)') });

export const roleRoutes = [
  defineRoute({
    method: 'get', path: '/roles', operationId: 'listRoles', tag, need: 'admin:read',
    summary: 'Every role, with how many hold it',
    query: z.object({ name: z.string().min(1).max(64).optional().describe('Only the role of this name (any letter case)') }),
    responses: { 200: { description: 'The roles', schema: z.object({ data: z.array(roleSchema) }) } },
    handle: async ({ query, services }) => ({ status: 200, body: { data: await services.roles.list({ name: query.name }) } }),
  }),
  defineRoute({
    method: 'post', path: '/roles', operationId: 'createRole', tag, need: 'admin',
    summary: 'Make a role',
    body: z.object(fields).partial({ description: true, is_default: true }).strict(),
    responses: { 201: { description: 'The role', schema: roleSchema } },
    problems: { 409: 'A role has this name already (in any letter case).' },
    async handle({ body, services }) {
      const role = await services.roles.create({ name: body.name, description: body.description, isDefault: body.is_default });
      return { status: 201, body: role, headers: { Location: `${services.config.issuer}/api/admin/v1/roles/${role.id}` } };
    },
  }),
  defineRoute({
    method: 'get', path: '/roles/{id}', operationId: 'getRole', tag, need: 'admin:read',
    summary: 'One role',
    params,
    responses: { 200: { description: 'The role', schema: roleSchema } },
    handle: async ({ params: { id }, services }) => ({ status: 200, body: await services.roles.find(id) }),
  }),
  defineRoute({
    method: 'patch', path: '/roles/{id}', operationId: 'updateRole', tag, need: 'admin',
    summary: 'Rename or change a role',
    description: 'A new name is carried to everyone who holds the role. The admin role keeps its name and is never a default.',
    params,
    body: z.object(fields).partial().strict(),
    responses: { 200: { description: 'The role as it is now', schema: roleSchema } },
    problems: { 409: 'Another role has the name, or the change would alter the built-in admin role.' },
    async handle({ params: { id }, body, services }) {
      return { status: 200, body: await services.roles.update(id, { name: body.name, description: body.description, isDefault: body.is_default }) };
    },
  }),
  defineRoute({
    method: 'delete', path: '/roles/{id}', operationId: 'deleteRole', tag, need: 'admin',
    summary: 'Delete a role and take it from everyone',
    params,
    responses: { 204: { description: 'Deleted' } },
    problems: { 409: 'The admin role cannot be deleted.' },
    async handle({ params: { id }, services }) {
      await services.roles.delete(id);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'get', path: '/roles/{id}/members', operationId: 'listRoleMembers', tag, need: 'admin:read',
    summary: 'Who holds a role, by address',
    params,
    query: z.object(pageQuery),
    responses: { 200: { description: 'A page of holders', schema: z.object({ data: z.array(z.object({ id: z.string(), email: z.string() })), next_cursor: z.string().nullable() }) } },
    async handle({ params: { id }, query, services }) {
      const limit = query.limit ?? 50;
      const afterEmail = query.cursor === undefined ? undefined : Buffer.from(query.cursor, 'base64url').toString('utf8');
      const { holders } = await services.roles.holders(id, { afterEmail, limit: limit + 1 });
      const page = holders.slice(0, limit);
      return { status: 200, body: { data: page, next_cursor: holders.length > limit ? Buffer.from(page.at(-1)!.email).toString('base64url') : null } };
    },
  }),
  ...(['put', 'delete'] as const).map((method) => defineRoute({
    method, path: '/roles/{id}/members/{account_id}', operationId: method === 'put' ? 'grantRole' : 'revokeRole', tag, need: 'admin',
    summary: method === 'put' ? 'Give a person the role' : 'Take the role from a person',
    params: memberParams,
    responses: { 200: { description: 'Done (or nothing to do)', schema: membership } },
    async handle({ params: { id, account_id: accountId }, services }) {
      const changed = method === 'put' ? await services.roles.grant(id, accountId) : await services.roles.revoke(id, accountId);
      return { status: 200, body: { changed } };
    },
  })),
];
