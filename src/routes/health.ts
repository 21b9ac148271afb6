// Liveness (/healthz: the process answers) and readiness (/readyz: the database answers and
// the process is not shutting down) for load balancers and orchestrators.
import type Router from '@koa/router';
import type { Services } from '../services.ts';

export default function healthRoutes(router: Router, services: Services) {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    if (services.lifecycle.draining) {
      ctx.status = 503;
      ctx.body = { status: 'draining' };
      return;
    }
    try {
      await services.queries.health.pingDatabase();
      ctx.body = { status: 'ready' };
    } catch (error) {
      services.log.warn({ err: error }, 'readiness check: database unreachable');
      ctx.status = 503;
      ctx.body = { status: 'unavailable', reason: 'database unreachable' };
    }
  });
}
