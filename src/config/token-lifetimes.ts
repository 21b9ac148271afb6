// How long each artifact lives, in seconds. Signing keys stay published for at least
// the longest lifetime of anything they sign (ID tokens) after they stop signing.
export const tokenLifetimes = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  IdToken: 60 * 60,
  Interaction: 60 * 60,
  RefreshToken: 30 * 24 * 60 * 60,
  Session: 14 * 24 * 60 * 60,
  Grant: 365 * 24 * 60 * 60,
} as const;

/** Everything signed with a signing key (ID tokens) has expired this long after the key stops signing. */
export const signedTokenMaxLifetime = tokenLifetimes.IdToken + 5 * 60; // plus clock skew
