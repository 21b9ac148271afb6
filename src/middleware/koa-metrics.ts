// Counts every answer for Prometheus: by route (the route's pattern, or the provider endpoint's
// name, never the path itself, which carries ids), method and status, with its duration.
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import type { Metrics } from '../libraries/metrics.ts';

/** The provider names the endpoint it routed a request to here (set by provider middleware). */
export const providerRoutes = new WeakMap<IncomingMessage, string>();

export function requestMetrics(metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const done = () => {
        const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? providerRoutes.get(ctx.req) ?? 'unmatched';
        metrics.request({ route, method: ctx.method, status: ctx.res.statusCode }, Number(process.hrtime.bigint() - started) / 1e9);
      };
      if (ctx.respond === false && !ctx.res.writableFinished) ctx.res.once('close', done);
      else done();
    }
  };
}

/** Provider middleware: remembers which endpoint served the request. */
export function nameProviderRoute(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      const route = (ctx as { oidc?: { route?: string } }).oidc?.route;
      if (route) providerRoutes.set(ctx.req, route);
    }
  };
}
