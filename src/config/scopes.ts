// The scopes Latchkey offers and the claims each one releases.
export const claimsByScope = {
  openid: ['sub', 'amr'], // amr: how the person signed in (pwd …), carried by ID tokens
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'updated_at'],
  offline_access: [],
};

export const SUPPORTED_SCOPES = Object.keys(claimsByScope);
