// Latchkey's APIs for programs (the admin API; SCIM): a Koa app of their own, without the pages'
// language, forms and error pages. Each call is logged, measured and audited like a page's;
// errors are problem details; every call but the OpenAPI document needs a bearer token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import { createApiAccess } from '../../libraries/api-access.ts';
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

/** The paths this app answers. */
export const API_PATHS = /^\/api\/admin\/v1(?:[/?]|$)/i;

export function createApiApp(services: Services): (req: IncomingMessage, res: ServerResponse) => void {
  const app = new Koa({ proxy: services.config.proxyHops > 0, maxIpsCount: services.config.proxyHops });
  app.silent = true;
  const apiAccess = createApiAccess({
    apiTokens: services.apiTokens,
    async findMachineToken(token) {
      const found = await services.provider.current.ClientCredentials.find(token);
      return found?.isValid && found.clientId ? { clientId: found.clientId, scopes: found.scope?.split(' ') ?? [] } : undefined;
    },
    currentClientScopes: async (clientId) => {
      const metadata = await services.clients.maybeLoadProviderMetadata(clientId);
      return metadata && String(metadata.scope ?? '').split(' ');
    },
  });

  app.use((_ctx, next) => withRequestMemo(next));
  app.use(requestLog(services.log));
  app.use(auditContext());
  app.use(requestMetrics(services.metrics));
  app.use(securityHeaders());
  app.use(problemDetails(services.log));

  const open = new Router();
  adminApiDocumentRoute(open, services);
  app.use(open.routes());

  app.use(bearerAuth({ apiAccess, throttle: services.throttle, rateRule: { limit: services.config.apiRateLimit, windowSeconds: 60 }, realm: services.config.issuer }));
  app.use(jsonBody());
  const admin = adminApiRouter(services);
  app.use(admin.routes());
  app.use(admin.allowedMethods());
  return app.callback();
}
