// Parses url-encoded form bodies (and small JSON) for Latchkey's own routes, with tight limits.
// oidc-provider parses its own requests, so this is never mounted in front of it.
import bodyParser from '@koa/bodyparser';
import type { Middleware } from 'koa';

export function formBody(): Middleware {
  return bodyParser({ enableTypes: ['form', 'json'], formLimit: '32kb', jsonLimit: '32kb' }) as Middleware;
}
