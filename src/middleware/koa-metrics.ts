// Counts every answer for Prometheus: by route (the route's pattern, or the provider endpoint's
// name, never the path itself, which carries ids), method and status, with its duration. Runs in
// Latchkey's app and in the provider's alike.
import type { Middleware } from 'koa';
import type { Metrics } from '../libraries/metrics.ts';

export function requestMetrics(metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const done = () => {
        const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? (ctx as { oidc?: { route?: string } }).oidc?.route ?? 'unmatched';
        metrics.request({ route, method: ctx.method, status: ctx.res.statusCode }, Number(process.hrtime.bigint() - started) / 1e9);
      };
      if (ctx.respond === false && !ctx.res.writableFinished) ctx.res.once('close', done);
      else done();
    }
  };
}
