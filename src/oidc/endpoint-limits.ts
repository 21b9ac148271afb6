// Limits on what a stranger can make the provider do without credentials. Authorization
// requests (each stores a sign-in in progress) count per IP and minute, and so do pushed
// requests of public clients; failed client authentication at the token, introspection,
// revocation and PAR endpoints is throttled per IP like a wrong password. The requests of a
// client that authenticated are never limited here (one client may make thousands a second).
import type { Context, Middleware } from 'koa';
import { RequestError } from '../libraries/errors.ts';
import { ipBucket, type RateRule, type Throttle } from '../libraries/throttle.ts';
import { errorPageLocals } from '../pages/error-page.ts';
import type { RenderPage } from '../pages/render-page.ts';

const HOUR = 60 * 60;
export const clientAuthFailureRule = { limit: 20, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR };
const CLIENT_AUTH_PATHS = new Set(['/token', '/token/introspection', '/token/revocation', '/request']);

async function refuse(ctx: Context, error: RequestError, renderPage: RenderPage, asPage: boolean) {
  ctx.status = 429;
  ctx.set('Retry-After', String(error.details.retryAfter));
  ctx.set('Cache-Control', 'no-store');
  if (asPage) {
    ctx.type = 'html';
    ctx.body = await renderPage('error', { ...errorPageLocals(error.code, error.message), heading: 'Too many requests', title: 'Too many requests' });
  } else {
    ctx.body = { error: 'too_many_requests', error_description: error.message };
  }
}

export function endpointLimits({ throttle, authorizationRule, renderPage }: { throttle: Throttle; authorizationRule: RateRule; renderPage: RenderPage }): Middleware {
  return async (ctx, next) => {
    const ip = ipBucket(ctx.ip);
    const clientAuth = ctx.method === 'POST' && CLIENT_AUTH_PATHS.has(ctx.path);
    const parKey = `rate:par-public:ip:${ip}`;
    const failures = { key: `client-auth:ip:${ip}`, rule: clientAuthFailureRule };
    try {
      if (ctx.path === '/auth') await throttle.countRequest(`rate:auth:ip:${ip}`, authorizationRule);
      if (ctx.path === '/request') await throttle.assertUnderRate(parKey, authorizationRule);
      if (clientAuth) await throttle.assertNotBlocked([failures]);
    } catch (error) {
      if (!(error instanceof RequestError) || error.status !== 429) throw error;
      await refuse(ctx, error, renderPage, ctx.path === '/auth');
      return;
    }
    await next();
    if (clientAuth && ctx.status === 401 && (ctx.body as { error?: unknown } | undefined)?.error === 'invalid_client') {
      await throttle.recordFailure(failures);
    }
    // Counted once it stored something: whether a pushed request is a public client's is known only now.
    const oidc = (ctx as Context & { oidc?: { client?: { clientAuthMethod?: string } } }).oidc;
    if (ctx.path === '/request' && ctx.status === 201 && oidc?.client?.clientAuthMethod === 'none') {
      await throttle.recordRequest(parKey, authorizationRule);
    }
  };
}
