// One JSON log line per request: method, path (never the query string, which can carry codes
// and hints), status, duration and a request id that is also returned to the caller.
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';

export function requestLog(log: Logger): Middleware {
  // The line's fields are fixed and none can carry a secret: no redaction pass, half a line's cost.
  const lines = log.child({}, { redact: [] });
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const id = crypto.randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    if (!log.isLevelEnabled('info')) return next(); // LOG_LEVEL above info: no line to build
    try {
      await next();
    } finally {
      const done = () => lines.info({
        req_id: id,
        method: ctx.method,
        path: ctx.path,
        status: ctx.res.statusCode,
        ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        ip: ctx.ip,
      }, 'request');
      // oidc-provider answers on the raw response: log once that is over.
      if (ctx.respond === false && !ctx.res.writableFinished) ctx.res.once('close', done);
      else done();
    }
  };
}
