// SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2 for directories such as Entra ID and Okta: people as
// Users, roles as Groups. Calls need a bearer token with the scim (or admin) scope; scimmy
// parses filters, checks resources against the core schemas and applies PATCH operations.
import type Router from '@koa/router';
import { createRouter } from '../../router.ts';
import { permits } from '../../../libraries/api-access.ts';
import { RequestError } from '../../../libraries/errors.ts';
import { callerOf } from '../../../middleware/koa-bearer-auth.ts';
import type { Services } from '../../../services.ts';
import scimDiscoveryRoutes from './discovery.ts';
import scimGroupRoutes from './groups.ts';
import scimUserRoutes from './users.ts';

export const SCIM_PREFIX = '/scim/v2';

export function scimRouter(services: Services): Router {
  const router = createRouter(SCIM_PREFIX);
  router.use(async (ctx, next) => {
    if (!permits(callerOf(ctx), 'scim')) {
      ctx.set('WWW-Authenticate', 'Bearer error="insufficient_scope", scope="scim admin"');
      throw new RequestError('insufficient_scope', 403, 'SCIM needs a token with the scim or admin scope.');
    }
    await next();
  });
  scimDiscoveryRoutes(router, services);
  scimUserRoutes(router, services);
  scimGroupRoutes(router, services);
  return router;
}
