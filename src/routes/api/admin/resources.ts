// /resources: the APIs that accept Latchkey's access tokens, with their permissions; and the
// permissions roles hold, and the roles machine clients hold.
import { z } from 'zod';
import { defineRoute } from './define-route.ts';
import { timestamp } from './schemas.ts';

const tag = 'API resources';
const permission = z.object({ name: z.string().max(100), description: z.string().max(200) });
const resourceSchema = z.object({
  id: z.string(), identifier: z.string().describe('The resource indicator (RFC 8707) and the audience of its tokens'), name: z.string(),
  access_token_ttl: z.number().int(), permissions: z.array(permission), created_at: timestamp, updated_at: timestamp,
});
const params = z.object({ id: z.string().uuid('must be a resource id (a UUID)') });
const permissionsInput = z.array(z.union([z.string(), permission.partial({ description: true })])).max(200)
  .describe('Replaces the whole list: names such as read:invoices, or {name, description}');
const heldPermissions = z.object({ data: z.array(z.object({ resource: z.string(), permission: z.string() })) });

export const resourceRoutes = [
  defineRoute({
    method: 'get', path: '/resources', operationId: 'listResources', tag, need: 'admin:read',
    summary: 'Every API resource',
    responses: { 200: { description: 'The resources', schema: z.object({ data: z.array(resourceSchema) }) } },
    handle: async ({ services }) => ({ status: 200, body: { data: await services.apiResources.list() } }),
  }),
  defineRoute({
    method: 'post', path: '/resources', operationId: 'createResource', tag, need: 'admin',
    summary: 'Register an API resource',
    body: z.object({ identifier: z.string().max(500), name: z.string().max(100), permissions: permissionsInput.optional(), access_token_ttl: z.number().int().optional() }).strict(),
    responses: { 201: { description: 'The resource', schema: resourceSchema } },
    problems: { 409: 'A resource has this identifier already.' },
    async handle({ body, services }) {
      const resource = await services.apiResources.create({ identifier: body.identifier, name: body.name, permissions: body.permissions, accessTokenTtl: body.access_token_ttl });
      return { status: 201, body: resource, headers: { Location: `${services.config.issuer}/api/admin/v1/resources/${resource.id}` } };
    },
  }),
  defineRoute({
    method: 'get', path: '/resources/{id}', operationId: 'getResource', tag, need: 'admin:read',
    summary: 'One API resource', params,
    responses: { 200: { description: 'The resource', schema: resourceSchema } },
    handle: async ({ params: { id }, services }) => ({ status: 200, body: await services.apiResources.find(id) }),
  }),
  defineRoute({
    method: 'patch', path: '/resources/{id}', operationId: 'updateResource', tag, need: 'admin',
    summary: 'Rename, change the permissions or the token lifetime',
    description: 'A permission that goes leaves every role that held it.',
    params,
    body: z.object({ name: z.string().max(100), permissions: permissionsInput, access_token_ttl: z.number().int() }).partial().strict(),
    responses: { 200: { description: 'The resource as it is now', schema: resourceSchema } },
    async handle({ params: { id }, body, services }) {
      return { status: 200, body: await services.apiResources.update(id, { name: body.name, permissions: body.permissions, accessTokenTtl: body.access_token_ttl }) };
    },
  }),
  defineRoute({
    method: 'delete', path: '/resources/{id}', operationId: 'deleteResource', tag, need: 'admin',
    summary: 'Delete an API resource', params,
    responses: { 204: { description: 'Deleted' } },
    async handle({ params: { id }, services }) {
      await services.apiResources.delete(id);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'get', path: '/roles/{id}/permissions', operationId: 'getRolePermissions', tag: 'Roles', need: 'admin:read',
    summary: 'The permissions a role holds', params: z.object({ id: z.string().uuid() }),
    responses: { 200: { description: 'The permissions', schema: heldPermissions } },
    handle: async ({ params: { id }, services }) => ({ status: 200, body: { data: await services.roles.permissions(id) } }),
  }),
  defineRoute({
    method: 'put', path: '/roles/{id}/permissions', operationId: 'setRolePermissions', tag: 'Roles', need: 'admin',
    summary: 'Make the role\'s permissions exactly these', params: z.object({ id: z.string().uuid() }),
    body: z.object({ permissions: z.array(z.object({ resource: z.string().max(500), permission: z.string().max(100) })).max(1000) }).strict(),
    responses: { 200: { description: 'The permissions now', schema: heldPermissions } },
    async handle({ params: { id }, body, services }) {
      await services.roles.setPermissions(id, body.permissions);
      return { status: 200, body: { data: await services.roles.permissions(id) } };
    },
  }),
  ...(['put', 'delete'] as const).map((method) => defineRoute({
    method, path: '/roles/{id}/clients/{client_id}', operationId: method === 'put' ? 'grantRoleToClient' : 'revokeRoleFromClient', tag: 'Roles', need: 'admin',
    summary: method === 'put' ? 'Give a machine client the role' : 'Take the role from a machine client',
    params: z.object({ id: z.string().uuid(), client_id: z.string().min(1).max(100) }),
    responses: { 200: { description: 'The client\'s roles now', schema: z.object({ roles: z.array(z.string()), changed: z.boolean() }) } },
    async handle({ params: { id, client_id: clientId }, services }) {
      const changed = method === 'put' ? await services.roles.grantToClient(id, clientId) : await services.roles.revokeFromClient(id, clientId);
      return { status: 200, body: { roles: await services.roles.clientRoles(clientId), changed } };
    },
  })),
];
