// RP-initiated logout with an id_token_hint that does not hold (not a JWT, not ours, another
// client's): the hint is optional, so the person gets the plain sign-out confirmation instead
// of an error page that blames the application. Only a hint that verifies is passed on.
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';

function audienceOf(jwt: string): string | undefined {
  try {
    const aud = (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown }).aud;
    return typeof aud === 'string' ? aud : Array.isArray(aud) && typeof aud[0] === 'string' ? aud[0] : undefined;
  } catch {
    return undefined;
  }
}

async function holds(provider: Provider, hint: string, clientId: string | null): Promise<boolean> {
  const aud = audienceOf(hint);
  if (!aud || (clientId && clientId !== aud)) return false;
  const client = await provider.Client.find(aud).catch(() => undefined);
  if (!client) return false;
  return provider.IdToken.validate(hint, client).then(() => true, () => false);
}

/** Provider middleware (its ctx.app is the provider). */
export function dropBogusLogoutHint(): Middleware {
  return async (ctx, next) => {
    const provider = ctx.app as unknown as Provider;
    const hint = ctx.method === 'GET' && ctx.path.toLowerCase().replace(/\/+$/, '') === '/session/end' ? ctx.query.id_token_hint : undefined;
    if (typeof hint === 'string' && !(await holds(provider, hint, typeof ctx.query.client_id === 'string' ? ctx.query.client_id : null))) {
      const params = new URLSearchParams(ctx.querystring);
      params.delete('id_token_hint');
      // Without a hint, a return address needs the client it belongs to.
      if (!params.has('client_id')) {
        params.delete('post_logout_redirect_uri');
        params.delete('state');
      }
      ctx.querystring = params.toString();
    }
    await next();
  };
}
