// What a person sees when something cannot go on: a plain-words explanation by error code,
// with the technical code and description tucked away for whoever has to debug it.
import type { PageLocals } from './render-page.ts';

const EXPLANATIONS: Record<string, { heading: string; explanation: string }> = {
  session_expired: {
    heading: 'This page has expired',
    explanation: 'Sign-in pages expire after a while and work only in the browser that opened them. Go back to the app and start signing in again.',
  },
  csrf_failed: {
    heading: 'Please try again',
    explanation: 'This form expired or did not come from this site. Go back, reload the page and send it again.',
  },
  invalid_client: {
    heading: 'Unknown application',
    explanation: 'The application that sent you here is not registered with this sign-in service. Contact its developers.',
  },
  invalid_redirect_uri: {
    heading: 'This application is misconfigured',
    explanation: 'The application asked to return you to an address it has not registered, so it was not followed. Contact its developers.',
  },
  access_denied: { heading: 'Access denied', explanation: 'You cannot continue with this request.' },
  not_found: { heading: 'Page not found', explanation: 'There is nothing at this address.' },
  body_too_large: {
    heading: 'The form was too large',
    explanation: 'What you typed is longer than this page accepts (a password, for one, may have at most 1024 characters). Go back and try again.',
  },
  malformed_body: { heading: 'The form could not be read', explanation: 'Go back, reload the page and send the form again.' },
  too_many_requests: { heading: 'Too many requests', explanation: 'Too many requests came from your network. Wait a moment, then try again.' },
  server_error: {
    heading: 'Something went wrong on our side',
    explanation: 'The problem has been logged. Try again in a moment.',
  },
};

const FALLBACK = {
  heading: 'This request cannot be completed',
  explanation: 'The application that sent you here made a request this sign-in service cannot complete. Go back to the app and try again; if it keeps happening, contact its developers.',
};

/** `retryUrl`: a page of the same sign-in (or form) to go back to, when there is one. */
export function errorPageLocals(code: string, detail?: string, retryUrl = ''): PageLocals {
  const { heading, explanation } = EXPLANATIONS[code] ?? FALLBACK;
  return { title: heading, heading, explanation, code, detail: detail ?? '', retryUrl };
}
