// The discovery document and the public signing keys are the same for every request until the
// provider is configured anew, yet oidc-provider rebuilds and serialises them each time (the
// costliest answers it gives without a database). Its first answer to each is kept, with the
// headers that go with it, for each provider instance (ctx.app): a new instance (the signing
// keys changed) starts afresh. CORS is answered as the provider's open CORS does, per request.
import type { Middleware } from 'koa';

const DOCUMENT_PATHS = new Set(['/.well-known/openid-configuration', '/jwks']);
const KEPT_HEADERS = ['content-type', 'vary'];

interface Kept { body: string; headers: Record<string, string> }

export function documentCache(): Middleware {
  const keptBy = new WeakMap<object, Map<string, Kept>>();
  return async (ctx, next) => {
    if (!DOCUMENT_PATHS.has(ctx.path) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    let documents = keptBy.get(ctx.app);
    if (!documents) keptBy.set(ctx.app, (documents = new Map()));
    const kept = documents.get(ctx.path);
    if (kept) {
      ctx.set(kept.headers);
      ctx.set('Access-Control-Allow-Origin', ctx.get('Origin') || '*');
      ctx.body = kept.body;
      return;
    }
    await next();
    if (ctx.status !== 200 || typeof ctx.body !== 'object' || ctx.body === null) return;
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = ctx.response.get(name);
      if (value) headers[name] = value;
    }
    documents.set(ctx.path, { body: JSON.stringify(ctx.body), headers });
  };
}
