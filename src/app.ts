// Composition root of the HTTP side: a request for one of Latchkey's own pages goes to its Koa
// app (pages, account area, health, static files), one for its APIs (admin API, SCIM) to theirs
// (routes/api); everything else (discovery, authorization,
// token, userinfo, logout …) straight to oidc-provider, which runs the same request log, metrics,
// memo and headers as its own middleware (services.ts), without a second app in front.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRouter } from './routes/router.ts';
import Koa from 'koa';
import { auditContext } from './middleware/koa-audit-context.ts';
import { errorHandler } from './middleware/koa-error-handler.ts';
import { requestMetrics } from './middleware/koa-metrics.ts';
import { requestLog } from './middleware/koa-request-log.ts';
import { withRequestMemo } from './oidc/request-memo.ts';
import { securityHeaders } from './middleware/koa-security-headers.ts';
import { pageLanguage } from './pages/page-language.ts';
import accountRoutes from './routes/account/index.ts';
import adminConsoleRoutes from './routes/admin/index.ts';
import { ADMIN_API_PATHS, createApiApps, SCIM_PATHS } from './routes/api/index.ts';
import brandRoutes from './routes/brand.ts';
import devMailRoutes from './routes/dev-mail.ts';
import healthRoutes from './routes/health.ts';
import interactionRoutes from './routes/interaction/index.ts';
import languageRoutes from './routes/language.ts';
import passwordResetRoutes from './routes/password-reset.ts';
import securityUndoRoutes from './routes/security-undo.ts';
import staticRoutes from './routes/static.ts';
import verifyEmailLinkRoutes from './routes/verify-email-link.ts';
import type { Services } from './services.ts';

/** The paths of Latchkey's own routes; anything else is the provider's. */
const OWN_PATHS = /^\/(?:interaction|account|admin|password|verify-email|security\/undo|language|brand|dev\/mail|static|healthz|readyz)(?:[/?]|$)/;

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function createApp(services: Services): RequestListener {
  // Only the X-Forwarded-For entries our own proxies appended are believed: a client can put anything before them.
  const app = new Koa({ proxy: services.config.proxyHops > 0, maxIpsCount: services.config.proxyHops, keys: services.secretBox.cookieKeys });
  app.silent = true; // errors are logged by the error handler, once

  app.use((_ctx, next) => withRequestMemo(next));
  app.use(requestLog(services.log));
  app.use(auditContext());
  app.use(services.markSessionActivity);
  app.use(requestMetrics(services.metrics));
  app.use(securityHeaders());
  app.use(pageLanguage());
  app.use(errorHandler({ log: services.log, renderPage: services.renderPage }));

  const router = createRouter();
  healthRoutes(router, services);
  staticRoutes(router);
  languageRoutes(router);
  brandRoutes(router, services.config.brand, services.brand);
  devMailRoutes(router, services);
  interactionRoutes(router, services);
  verifyEmailLinkRoutes(router, services);
  passwordResetRoutes(router, services);
  securityUndoRoutes(router, services);
  accountRoutes(router, services);
  adminConsoleRoutes(router, services);
  app.use(router.routes());

  const own = app.callback();
  const api = createApiApps(services);
  return (req, res) => {
    if (OWN_PATHS.test(req.url ?? '')) void own(req, res);
    else if (ADMIN_API_PATHS.test(req.url ?? '')) api.admin(req, res);
    else if (SCIM_PATHS.test(req.url ?? '')) api.scim(req, res);
    else void services.provider.handle(req, res);
  };
}
