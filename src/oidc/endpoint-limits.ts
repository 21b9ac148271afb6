// Limits on what a stranger can make the provider do without credentials. Authorization
// requests (each stores a sign-in in progress) count per IP and minute, and so do pushed
// requests of public clients; failed client authentication at the token, introspection,
// revocation and PAR endpoints is throttled per IP and client like a wrong password. The
// requests of a client that authenticated are never limited here (one client may make
// thousands a second). oidc-provider routes paths in any letter case and with a trailing
// slash, so paths are compared in that form, and what the router did is checked afterwards.
import type { Context, Middleware } from 'koa';
import { RequestError } from '../libraries/errors.ts';
import { ipBucket, type RateRule, type Throttle, type ThrottleSubject } from '../libraries/throttle.ts';
import { errorPageLocals } from '../pages/error-page.ts';
import { inPageLanguage } from '../pages/page-language.ts';
import type { RenderPage } from '../pages/render-page.ts';

const HOUR = 60 * 60;
export const clientAuthFailureRules = {
  /** One client's credentials tried from one address. */
  clientAndIp: { limit: 20, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR },
  /** Any client's from one address (guessing spread over many client ids). */
  ip: { limit: 100, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR },
};
const CLIENT_AUTH_ROUTES = new Set(['token', 'introspection', 'revocation', 'pushed_authorization_request']);
const CLIENT_AUTH_PATHS = new Set(['/token', '/token/introspection', '/token/revocation', '/request']);

interface ProviderState {
  oidc?: { route?: string; client?: { clientId: string; clientAuthMethod?: string }; params?: { client_id?: unknown } };
}

/** The path as oidc-provider's router matches it. */
function routedPath(ctx: Context): string {
  let path = ctx.path;
  try {
    path = decodeURIComponent(path);
  } catch {
    // left as it came: the router will not match it either
  }
  return path.toLowerCase().replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');
}

/** The client id of HTTP Basic client authentication, if that is how the client authenticates. */
function basicClientId(ctx: Context): string | undefined {
  const [scheme, value] = ctx.get('authorization').split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const id = Buffer.from(value, 'base64').toString('utf8').split(':')[0];
  try {
    return id ? decodeURIComponent(id) : undefined;
  } catch {
    return id;
  }
}

async function refuse(ctx: Context, error: RequestError, renderPage: RenderPage, asPage: boolean, path: string) {
  (ctx as Context & { _matchedRoute?: string })._matchedRoute = path; // refused before routing: named for the metrics
  ctx.status = 429;
  ctx.set('Retry-After', String(error.details.retryAfter));
  ctx.set('Cache-Control', 'no-store');
  if (asPage) {
    ctx.type = 'html';
    ctx.body = await inPageLanguage(ctx, () => renderPage('error', errorPageLocals(error.code, error.message)));
  } else {
    ctx.body = { error: 'too_many_requests', error_description: error.message };
  }
}

export function endpointLimits({ throttle, authorizationRule, renderPage }: { throttle: Throttle; authorizationRule: RateRule; renderPage: RenderPage }): Middleware {
  return async (ctx, next) => {
    const path = routedPath(ctx);
    let bucket: string | undefined; // worked out only for the requests a limit is about
    const ip = () => (bucket ??= ipBucket(ctx.ip));
    const authKey = () => `rate:auth:ip:${ip()}`;
    const parKey = () => `rate:par-public:ip:${ip()}`;
    const failureSubjects = (clientId: string | undefined): ThrottleSubject[] => [
      { key: `client-auth:ip:${ip()}`, rule: clientAuthFailureRules.ip },
      // Only what could be a client id goes into a key (a stranger sends anything, U+0000 included).
      ...(clientId && /^[\x21-\x7e]{1,100}$/.test(clientId) ? [{ key: `client-auth:client-ip:${clientId}:${ip()}`, rule: clientAuthFailureRules.clientAndIp }] : []),
    ];
    // A pushed request without HTTP Basic may be a public client's: counted now (so concurrent ones
    // cannot all pass), taken back if it turns out to be a confidential client's.
    const parWithoutBasic = path === '/request' && basicClientId(ctx) === undefined;
    let countedAuthorization = false;
    try {
      if (path === '/auth') {
        countedAuthorization = true;
        await throttle.countRequest(authKey(), authorizationRule);
      }
      if (parWithoutBasic) await throttle.countRequest(parKey(), authorizationRule);
      if (ctx.method === 'POST' && CLIENT_AUTH_PATHS.has(path)) await throttle.assertNotBlockedLately(failureSubjects(basicClientId(ctx)));
    } catch (error) {
      if (!(error instanceof RequestError) || error.status !== 429) throw error;
      await refuse(ctx, error, renderPage, path === '/auth', path);
      return;
    }
    await next();

    const { oidc } = ctx as Context & ProviderState;
    if (oidc?.route === 'authorization' && !countedAuthorization) await throttle.recordRequest(authKey(), authorizationRule);
    if (oidc?.route === 'pushed_authorization_request') {
      const isPublic = oidc.client?.clientAuthMethod === 'none';
      if (parWithoutBasic && oidc.client && !isPublic) await throttle.uncountRequest(parKey(), authorizationRule);
      if (!parWithoutBasic && isPublic && ctx.status === 201) await throttle.recordRequest(parKey(), authorizationRule);
    }
    if (oidc?.route && CLIENT_AUTH_ROUTES.has(oidc.route) && ctx.status === 401 && (ctx.body as { error?: unknown } | undefined)?.error === 'invalid_client') {
      const clientId = oidc.client?.clientId ?? basicClientId(ctx) ?? (typeof oidc.params?.client_id === 'string' ? oidc.params.client_id : undefined);
      for (const subject of failureSubjects(clientId)) await throttle.recordFailure(subject);
    }
  };
}
