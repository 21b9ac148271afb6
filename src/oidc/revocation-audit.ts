// Token revocation (RFC 7009) in the audit log. The provider deletes the token itself; once it
// has answered, the token it found and the client that asked tell what happened (a client only
// ever revokes its own tokens: the revocation policy refuses the rest).
import type { Context, Middleware } from 'koa';
import { recordAudit } from '../libraries/audit/audit-log.ts';
import type { Queries } from '../queries/index.ts';

const REVOKED_KINDS = ['AccessToken', 'ClientCredentials', 'RefreshToken'];

interface RevocationState {
  oidc?: { route?: string; client?: { clientId: string }; entities?: Record<string, { kind: string; clientId?: string; accountId?: string } | undefined> };
}

export function auditRevocations(queries: Pick<Queries, 'auditEvents'>): Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as Context & RevocationState;
    if (oidc?.route !== 'revocation' || ctx.status !== 200 || !oidc.client) return;
    const token = REVOKED_KINDS.map((kind) => oidc.entities?.[kind]).find(Boolean);
    if (!token || token.clientId !== oidc.client.clientId) return;
    await recordAudit(queries, {
      type: 'token.revoked', subjectId: token.accountId, clientId: token.clientId, actor: { type: 'client', id: oidc.client.clientId }, details: { kind: token.kind },
    });
  };
}
