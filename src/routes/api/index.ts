// Latchkey's APIs for programs, the admin API (/api/admin/v1) and SCIM (/scim/v2): Koa apps of
// their own, without the pages' language, forms and error pages. Each call is logged, measured
// and audited like a page's; every call but the admin API's OpenAPI document needs a bearer
// token. Errors are problem details (admin API) or SCIM errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Router from '@koa/router';
import { createRouter } from '../router.ts';
import Koa, { type Middleware } from 'koa';
import { createApiAccess, type ApiAccess } from '../../libraries/api-access.ts';
import { auditContext } from '../../middleware/koa-audit-context.ts';
import { bearerAuth } from '../../middleware/koa-bearer-auth.ts';
import { jsonBody } from '../../middleware/koa-json-body.ts';
import { requestMetrics } from '../../middleware/koa-metrics.ts';
import { requestLog } from '../../middleware/koa-request-log.ts';
import { securityHeaders } from '../../middleware/koa-security-headers.ts';
import { withRequestMemo } from '../../oidc/request-memo.ts';
import type { Services } from '../../services.ts';
import { adminApiDocumentRoute, adminApiRouter } from './admin/index.ts';
import { problemDetails } from './problem-details.ts';
import { scimErrors } from './scim/scim-errors.ts';
import { scimRouter } from './scim/index.ts';

/** The paths of the admin API and of SCIM. */
export const ADMIN_API_PATHS = /^\/api\/admin\/v1(?:[/?]|$)/;
export const SCIM_PATHS = /^\/scim\/v2(?:[/?]|$)/;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function apiAccessOf(services: Services): ApiAccess {
  return createApiAccess({
    apiTokens: services.apiTokens,
    async findMachineToken(token) {
      const found = await services.provider.current.ClientCredentials.find(token);
      // A sender-constrained token (DPoP, mTLS) proves nothing here without its proof: refused.
      return found?.isValid && found.clientId && !found.isSenderConstrained() ? { clientId: found.clientId, scopes: found.scope?.split(' ') ?? [] } : undefined;
    },
    currentClientScopes: async (clientId) => {
      const metadata = await services.clients.maybeLoadProviderMetadata(clientId);
      return metadata && String(metadata.scope ?? '').split(' ');
    },
  });
}

function programApp(services: Services, apiAccess: ApiAccess, { errors, open, routes, bodyLimit }: { errors: Middleware; open?: Router; routes: Router; bodyLimit: string }): Listener {
  const app = new Koa({ proxy: services.config.proxyHops > 0, maxIpsCount: services.config.proxyHops });
  app.silent = true;
  app.use((_ctx, next) => withRequestMemo(next));
  app.use(requestLog(services.log));
  app.use(auditContext());
  app.use(requestMetrics(services.metrics));
  app.use(securityHeaders());
  app.use(errors);
  if (open) app.use(open.routes());
  app.use(bearerAuth({ apiAccess, throttle: services.throttle, rateRule: { limit: services.config.apiRateLimit, windowSeconds: 60 }, realm: services.config.issuer }));
  app.use(jsonBody({ limit: bodyLimit }));
  app.use(routes.routes());
  app.use(routes.allowedMethods());
  return app.callback();
}

export function createApiApps(services: Services): { admin: Listener; scim: Listener } {
  const apiAccess = apiAccessOf(services);
  const open = createRouter();
  adminApiDocumentRoute(open, services);
  return {
    admin: programApp(services, apiAccess, { errors: problemDetails(services.log), open, routes: adminApiRouter(services), bodyLimit: '2mb' }), // imports
    scim: programApp(services, apiAccess, { errors: scimErrors(services.log), routes: scimRouter(services), bodyLimit: '256kb' }),
  };
}
