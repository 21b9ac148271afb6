// The admin API at /api/admin/v1: every route with its scope, and the OpenAPI document made
// from the same definitions at /api/admin/v1/openapi.json (public: it holds no data).
import type Router from '@koa/router';
import { createRouter } from '../../router.ts';
import type { Services } from '../../../services.ts';
import { auditRoutes } from './audit-events.ts';
import { clientRoutes } from './clients.ts';
import { keyAndReportRoutes } from './keys-and-reports.ts';
import { resourceRoutes } from './resources.ts';
import { roleRoutes } from './roles.ts';
import { mountRoutes, type ApiRoute } from './define-route.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { userRoutes } from './users.ts';

export const ADMIN_API_PREFIX = '/api/admin/v1';

export const adminApiRoutes: ApiRoute[] = [...userRoutes, ...roleRoutes, ...resourceRoutes, ...clientRoutes, ...keyAndReportRoutes, ...auditRoutes];

/** The OpenAPI document's own route, open to anyone; the rest need a bearer token. */
export function adminApiDocumentRoute(router: Router, services: Services): void {
  const document = buildOpenApiDocument(adminApiRoutes, { issuer: services.config.issuer, version: '1' });
  router.get(`${ADMIN_API_PREFIX}/openapi.json`, (ctx) => {
    ctx.body = document;
  });
}

export function adminApiRouter(services: Services): Router {
  const router = createRouter(ADMIN_API_PREFIX);
  mountRoutes(router, adminApiRoutes, services);
  return router;
}
