// Introspection (RFC 7662) of API tokens: the provider knows only its own tokens and answers
// active: false for an API token; this fills in the answer afterwards. Any confidential client
// may ask (whoever holds the token can use it anyway; the 256 random bits leave nothing to scan
// for); a public client learns nothing, as with the provider's own tokens.
import type { Context, Middleware } from 'koa';
import { API_TOKEN_PREFIX, type ApiTokens } from '../libraries/api-tokens.ts';

interface IntrospectionState {
  oidc?: { route?: string; client?: { clientAuthMethod?: string }; params?: { token?: unknown } };
}

export function introspectApiTokens(apiTokens: Pick<ApiTokens, 'introspect'>): Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as Context & IntrospectionState;
    if (oidc?.route !== 'introspection' || ctx.status !== 200) return;
    const token = oidc.params?.token;
    if (typeof token !== 'string' || !token.startsWith(API_TOKEN_PREFIX) || !oidc.client || oidc.client.clientAuthMethod === 'none') return;
    if ((ctx.body as { active?: boolean } | undefined)?.active !== false) return;
    const answer = await apiTokens.introspect(token);
    if (answer) ctx.body = answer;
  };
}
