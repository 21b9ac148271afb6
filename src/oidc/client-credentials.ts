// client_credentials without a person: the OpenID scopes (openid, profile, email,
// offline_access) describe a person's sign-in, so a client asking for one gets invalid_scope
// instead of a token that claims them. A scope the provider does not know is refused too
// (oidc-provider would pass it into the token unchecked), and an API scope (admin, scim …) only
// goes to a client registered with it. oidc-provider has no hook for this, so its own grant
// handler is registered again behind the checks.
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { handler, parameters } from 'oidc-provider/lib/actions/grants/client_credentials.js';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';
import { isMachineScope, SUPPORTED_SCOPES } from '../config/scopes.ts';

export function refuseOpenIdScopesForClientCredentials(provider: Provider): void {
  const helpers = Object.fromEntries(Object.entries(grantHelpers).map(([name, helper]) => [name, (helper as (...args: unknown[]) => unknown).bind(undefined, provider)]));
  provider.registerGrantType('client_credentials', async (ctx) => {
    const requested = String(ctx.oidc.params!.scope ?? '').split(' ').filter(Boolean);
    const personal = requested.find((scope) => SUPPORTED_SCOPES.includes(scope));
    if (personal) throw new errors.InvalidScope('client_credentials tokens act for no person: OpenID scopes cannot be asked for', personal);
    const allowed = new Set(ctx.oidc.client!.scope?.split(' ') ?? []);
    // With resource=<API resource>, the other scopes are its permissions: the provider keeps those the client's roles hold.
    const forResource = ctx.oidc.params!.resource !== undefined;
    const refused = requested.find((scope) => (isMachineScope(scope) ? !allowed.has(scope) : !forResource));
    if (refused) throw new errors.InvalidScope('requested scope is not allowed', refused);
    await handler(provider, helpers, ctx);
  }, new Set([...parameters, 'resource']), new Set(['resource'])); // as the provider registers it with resource indicators on
}
