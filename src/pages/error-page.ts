// What a person sees when something cannot go on: a plain-words explanation by error code (in
// the page's language, from the catalogue's errorPage section), with the technical code and
// description tucked away for whoever has to debug it.
import type { PageLocals } from './render-page.ts';

/** The codes that have an explanation of their own; any other gets errorPage.other. */
export const EXPLAINED_ERRORS = [
  'session_expired', 'csrf_failed', 'invalid_client', 'invalid_redirect_uri', 'access_denied', 'not_found',
  'body_too_large', 'malformed_body', 'too_many_requests', 'server_error',
] as const;

/** `retryUrl`: a page of the same sign-in (or form) to go back to, when there is one. */
export function errorPageLocals(code: string, detail?: string, retryUrl = ''): PageLocals {
  const explained = (EXPLAINED_ERRORS as readonly string[]).includes(code) ? code : 'other';
  return { title: `errorPage.${explained}.heading`, explained, code, detail: detail ?? '', retryUrl };
}
