// The scopes Latchkey offers and the claims each one releases.
export const claimsByScope = {
  openid: ['sub', 'amr', 'acr'], // amr and acr: how the person signed in (pwd, otp …; one factor or several), carried by ID tokens
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'picture', 'updated_at'],
  offline_access: [],
  roles: ['roles'], // the names of the roles the person holds
};

export const SUPPORTED_SCOPES = Object.keys(claimsByScope);

/**
 * Scopes of Latchkey's own APIs, for API tokens and machine clients (client_credentials only):
 * admin (everything), admin:read (the admin API's reads), scim (SCIM provisioning).
 */
export const MACHINE_SCOPES = ['admin', 'admin:read', 'scim'] as const;
export type MachineScope = (typeof MACHINE_SCOPES)[number];
export const isMachineScope = (scope: string): scope is MachineScope => (MACHINE_SCOPES as readonly string[]).includes(scope);

/** Every scope the provider knows: a client may ask only for those its registration lists. */
export const PROVIDER_SCOPES = [...SUPPORTED_SCOPES, ...MACHINE_SCOPES];
