// Composition root of the HTTP side: Latchkey's own routes first, then everything else
// (discovery, authorization, token, userinfo, logout …) to oidc-provider.
import Router from '@koa/router';
import Koa from 'koa';
import { errorHandler } from './middleware/koa-error-handler.ts';
import { requestMetrics } from './middleware/koa-metrics.ts';
import { requestLog } from './middleware/koa-request-log.ts';
import { withRequestMemo } from './oidc/request-memo.ts';
import { securityHeaders } from './middleware/koa-security-headers.ts';
import accountRoutes from './routes/account/index.ts';
import devMailRoutes from './routes/dev-mail.ts';
import healthRoutes from './routes/health.ts';
import interactionRoutes from './routes/interaction/index.ts';
import passwordResetRoutes from './routes/password-reset.ts';
import securityUndoRoutes from './routes/security-undo.ts';
import staticRoutes from './routes/static.ts';
import verifyEmailLinkRoutes from './routes/verify-email-link.ts';
import type { Services } from './services.ts';

export function createApp(services: Services): Koa {
  // Only the X-Forwarded-For entries our own proxies appended are believed: a client can put anything before them.
  const app = new Koa({ proxy: services.config.proxyHops > 0, maxIpsCount: services.config.proxyHops, keys: services.secretBox.cookieKeys });
  app.silent = true; // errors are logged by the error handler, once

  app.use((_ctx, next) => withRequestMemo(next));
  app.use(requestLog(services.log));
  app.use(requestMetrics(services.metrics));
  app.use(securityHeaders());
  app.use(errorHandler({ log: services.log, renderPage: services.renderPage }));

  const router = new Router();
  healthRoutes(router, services);
  staticRoutes(router);
  devMailRoutes(router, services);
  interactionRoutes(router, services);
  verifyEmailLinkRoutes(router, services);
  passwordResetRoutes(router, services);
  securityUndoRoutes(router, services);
  accountRoutes(router, services);
  app.use(router.routes());

  app.use(async (ctx) => {
    ctx.respond = false;
    await services.provider.handle(ctx.req, ctx.res);
  });
  return app;
}
