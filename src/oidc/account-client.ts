// Latchkey's own account area as a relying party of itself: a first-party public client known
// only to the provider's configuration, so no CLI or admin can list, change or delete it.
import type { ClientMetadata } from 'oidc-provider';
import { SUPPORTED_SCOPES } from '../config/scopes.ts';

export const ACCOUNT_CLIENT_ID = 'latchkey-account';
export const ACCOUNT_CALLBACK_PATH = '/account/callback';

export function accountClientMetadata(issuer: string, brandName: string): ClientMetadata {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: `${brandName} account`,
    redirect_uris: [`${issuer}${ACCOUNT_CALLBACK_PATH}`],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: SUPPORTED_SCOPES.join(' '),
    latchkey_skip_consent: true, // people are not asked to let Latchkey see their own account
  };
}
