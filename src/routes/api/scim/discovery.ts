// What a directory reads before it provisions (RFC 7644 §4): ServiceProviderConfig, Schemas and
// ResourceTypes, described from scimmy's schema definitions.
import type Router from '@koa/router';
import SCIMMY from 'scimmy';
import type { Services } from '../../../services.ts';
import { groupSchema, userSchema } from './representations.ts';
import { answer, LIST_SCHEMA } from './users.ts';

const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const list = (resources: unknown[]) => ({ schemas: [LIST_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources });

export default function scimDiscoveryRoutes(router: Router, services: Services) {
  const base = `${services.config.issuer}/scim/v2`;
  const schemas = () => [userSchema, groupSchema].map((schema) => schema.definition.describe(`${base}/Schemas`));
  const resourceTypes = () => [
    { id: 'User', name: 'User', endpoint: '/Users', description: 'A person who signs in with Latchkey', schema: userSchema.definition.id },
    { id: 'Group', name: 'Group', endpoint: '/Groups', description: 'A Latchkey role; its members hold it', schema: groupSchema.definition.id },
  ].map((type) => ({ schemas: [RESOURCE_TYPE], ...type, meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${type.id}` } }));

  router.get('/ServiceProviderConfig', (ctx) => answer(ctx, 200, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${services.config.issuer}/api/admin/v1/openapi.json`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: true },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'OAuth Bearer Token', primary: true,
      description: 'An API token with the scim (or admin) scope, or a client_credentials access token of a machine client holding it.',
    }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  }));

  router.get('/Schemas', (ctx) => answer(ctx, 200, list(schemas())));
  router.get('/Schemas/:id', (ctx) => {
    const found = schemas().find((schema) => schema.id === ctx.params.id);
    if (!found) throw new SCIMMY.Types.Error(404, null as never, `No schema ${ctx.params.id}.`);
    answer(ctx, 200, found);
  });
  router.get('/ResourceTypes', (ctx) => answer(ctx, 200, list(resourceTypes())));
  router.get('/ResourceTypes/:id', (ctx) => {
    const found = resourceTypes().find((type) => type.id === ctx.params.id);
    if (!found) throw new SCIMMY.Types.Error(404, null as never, `No resource type ${ctx.params.id}.`);
    answer(ctx, 200, found);
  });
}
