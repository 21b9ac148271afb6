// Headers on every response: a CSP without inline script, no framing, no referrer, no caching
// unless a route opts in (static files). HSTS when the request came over https.
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

export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set({
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
      'Cache-Control': 'no-store',
    });
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
