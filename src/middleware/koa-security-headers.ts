// Headers on every response: a CSP without inline script, no framing, no referrer, no caching
// unless a route opts in (static files). HSTS when the request came over https. The provider's
// endpoints that only ever answer JSON get the set OWASP's REST cheat sheet asks of an API:
// a browser never renders them, and every header costs every request.
import type { Middleware } from 'koa';

const CSP = [
  "default-src 'self'",
  "script-src 'self'", // oidc-provider adds a hash for its one inline script (form_post)
  "style-src 'self'",
  "img-src 'self' data: https:", // client logos are https URLs
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  // no form-action: browsers apply it to the redirect back to the relying party after a form post
].join('; ');

const API_HEADERS = {
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

const DOCUMENT_HEADERS = {
  ...API_HEADERS,
  'Content-Security-Policy': CSP,
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** oidc-provider's endpoints whose every answer, error or not, is JSON (or a JWT); Latchkey's APIs under /api/ and /scim/ too. */
const JSON_ONLY_PATHS = new Set(['/.well-known/openid-configuration', '/jwks', '/token', '/token/introspection', '/token/revocation', '/me', '/request']);

export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set(JSON_ONLY_PATHS.has(ctx.path) || (ctx.path.startsWith('/api/') || ctx.path.startsWith('/scim/')) ? API_HEADERS : DOCUMENT_HEADERS);
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
