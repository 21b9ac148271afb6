// client_credentials without a person: the OpenID scopes (openid, profile, email,
// offline_access) describe a person's sign-in, so a client asking for one gets invalid_scope
// instead of a token that claims them. oidc-provider has no hook for this, so its own grant
// handler is registered again behind the check.
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { handler, parameters } from 'oidc-provider/lib/actions/grants/client_credentials.js';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';
import { SUPPORTED_SCOPES } from '../config/scopes.ts';

export function refuseOpenIdScopesForClientCredentials(provider: Provider): void {
  const helpers = Object.fromEntries(Object.entries(grantHelpers).map(([name, helper]) => [name, (helper as (...args: unknown[]) => unknown).bind(undefined, provider)]));
  provider.registerGrantType('client_credentials', async (ctx) => {
    const personal = String(ctx.oidc.params!.scope ?? '').split(' ').find((scope) => SUPPORTED_SCOPES.includes(scope));
    if (personal) throw new errors.InvalidScope('client_credentials tokens act for no person: OpenID scopes cannot be asked for', personal);
    await handler(provider, helpers, ctx);
  }, parameters);
}
