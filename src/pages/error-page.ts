// What a person sees when something cannot go on: a plain-words explanation by error code (in
// the page's language, from the catalogue's errorPage section), with the technical code and
// description tucked away for whoever has to debug it.
import type { PageLocals } from './render-page.ts';

/** The codes that have an explanation of their own; any other gets errorPage.other. */
export const EXPLAINED_ERRORS = [
  'session_expired', 'csrf_failed', 'invalid_client', 'invalid_redirect_uri', 'access_denied', 'not_found',
  'body_too_large', 'malformed_body', 'too_many_requests', 'server_error',
] as const;

/** Where a person goes on from an error: back to the application when its home is known, else to sign in (the account page). */
export interface WayOn {
  href: string;
  /** The application's name, when the way on leads back to it. */
  client?: string;
}

export const SIGN_IN_WAY_ON: WayOn = { href: '/account/security' };

/** The way back to an application, if it registered its home page (client_uri). */
export const wayBackTo = (client: { clientUri?: string | undefined; clientName?: string | undefined; clientId: string } | undefined): WayOn =>
  (client?.clientUri ? { href: client.clientUri, client: client.clientName ?? client.clientId } : SIGN_IN_WAY_ON);

/**
 * `retryUrl`: a page of the same sign-in (or form) to go back to, when there is one; `wayOn`:
 * where to go instead (every error page has one, so that nobody is stuck).
 */
export function errorPageLocals(code: string, detail?: string, retryUrl = '', wayOn: WayOn = SIGN_IN_WAY_ON): PageLocals {
  const explained = (EXPLAINED_ERRORS as readonly string[]).includes(code) ? code : 'other';
  return { title: `errorPage.${explained}.heading`, explained, code, detail: detail ?? '', retryUrl, wayOn };
}
