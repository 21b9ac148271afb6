// How long each free-text authorization parameter may be. oidc-provider keeps a request's
// parameters with its sign-in in progress (and with a pushed request), so a parameter without a
// bound lets a stranger fill the database a few kilobytes per request.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';

export const PARAMETER_MAX_LENGTHS: Record<string, number> = {
  login_hint: 254, // an email address
  // Some relying-party libraries seal their own data into state (ASP.NET Core's runs to several hundred characters).
  state: 1024,
  nonce: 512,
  id_token_hint: 8192, // a signed ID token
  ui_locales: 100,
  claims_locales: 100,
  acr_values: 200,
  prompt: 50,
  max_age: 12,
  response_mode: 20,
  display: 10,
};

/** extraParams validators (oidc-provider runs them after checking the client, before storing anything). */
export function boundedParameters() {
  return Object.fromEntries(Object.entries(PARAMETER_MAX_LENGTHS).map(([name, max]) => [name, (_ctx: KoaContextWithOIDC, value: string | undefined) => {
    if (value !== undefined && value.length > max) throw new errors.InvalidRequest(`${name} must be at most ${max} characters`);
  }]));
}
