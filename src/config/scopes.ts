// The scopes Latchkey offers and the claims each one releases.
export const claimsByScope = {
  openid: ['sub', 'amr', 'acr'], // amr and acr: how the person signed in (pwd, otp …; one factor or several), carried by ID tokens
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'updated_at'],
  offline_access: [],
};

export const SUPPORTED_SCOPES = Object.keys(claimsByScope);
