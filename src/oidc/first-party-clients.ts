// Latchkey's own areas as relying parties of itself: the account area and the admin console are
// first-party public clients known only to the provider's configuration, so no CLI or admin
// can list, change or delete them.
import type { ClientMetadata } from 'oidc-provider';
import { SUPPORTED_SCOPES } from '../config/scopes.ts';

export const ACCOUNT_CLIENT_ID = 'latchkey-account';
export const ADMIN_CLIENT_ID = 'latchkey-admin';

function firstPartyClient(issuer: string, clientId: string, name: string, prefix: string): ClientMetadata {
  return {
    client_id: clientId,
    client_name: name,
    redirect_uris: [`${issuer}${prefix}/callback`],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: SUPPORTED_SCOPES.join(' '),
    latchkey_skip_consent: true, // people are not asked to let Latchkey see their own account
  };
}

export const firstPartyClients = (issuer: string, brandName: string): ClientMetadata[] => [
  firstPartyClient(issuer, ACCOUNT_CLIENT_ID, `${brandName} account`, '/account'),
  firstPartyClient(issuer, ADMIN_CLIENT_ID, `${brandName} admin console`, '/admin'),
];
