// How long each artifact lives, in seconds, and how long a signing key stays published
// after it stops signing.
export const tokenLifetimes = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  IdToken: 60 * 60,
  Interaction: 30 * 60, // a sign-in in progress, registration and its mailed code included
  /** A sign-in without "keep me signed in", counted from the sign-in. */
  BrowserSession: 12 * 60 * 60,
  RefreshToken: 30 * 24 * 60 * 60,
  /** A "keep me signed in" sign-in, counted from the sign-in however often it is used. */
  Session: 14 * 24 * 60 * 60,
  Grant: 365 * 24 * 60 * 60,
} as const;

/**
 * A retired key stays published (and in the provider's keystore) this long after it stops
 * signing. ID tokens expire after an hour, but relying parties present them as id_token_hint
 * at logout for as long as the sign-in session lasts, and their signature is still checked.
 */
export const retiredKeyPublication = tokenLifetimes.Session + 5 * 60; // plus clock skew
