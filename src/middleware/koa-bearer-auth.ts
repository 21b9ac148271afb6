// Authenticates a call to Latchkey's APIs by its bearer token (RFC 6750): 401 with
// WWW-Authenticate without a good one, failed tokens throttled per IP like failed client
// authentication, and each caller's calls limited per minute. The caller is then the actor of
// every audit event the call records. The API's own error middleware words the refusals.
import type { Context, Middleware } from 'koa';
import type { ApiAccess, ApiCaller } from '../libraries/api-access.ts';
import { actAs } from '../libraries/audit/context.ts';
import { RequestError } from '../libraries/errors.ts';
import { ipBucket, type RateRule, type Throttle } from '../libraries/throttle.ts';

const HOUR = 60 * 60;
export const apiAuthFailureRule = { limit: 20, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR };

export const callerOf = (ctx: Context): ApiCaller => ctx.state.caller as ApiCaller;

export function bearerAuth({ apiAccess, throttle, rateRule, realm }: { apiAccess: ApiAccess; throttle: Throttle; rateRule: RateRule; realm: string }): Middleware {
  return async (ctx, next) => {
    const failures = [{ key: `api-auth:ip:${ipBucket(ctx.ip)}`, rule: apiAuthFailureRule }];
    await throttle.assertNotBlockedLately(failures);
    const [scheme, token, ...rest] = ctx.get('authorization').split(' ');
    const presented = scheme?.toLowerCase() === 'bearer' && token && !rest.length ? token : undefined;
    const caller = presented ? await apiAccess.authenticate(presented) : undefined;
    if (!caller) {
      if (presented) await throttle.recordFailure(failures[0]!);
      ctx.set('WWW-Authenticate', presented ? `Bearer realm="${realm}", error="invalid_token"` : `Bearer realm="${realm}"`);
      throw new RequestError(presented ? 'invalid_token' : 'unauthorized', 401,
        presented ? 'The bearer token is not valid (unknown, expired or revoked).' : 'Send an API token or a client_credentials access token as Authorization: Bearer.');
    }
    await throttle.countRequest(`api:${caller.actor.type}:${caller.actor.id}`, rateRule);
    ctx.state.caller = caller;
    actAs(caller.actor);
    await next();
  };
}
