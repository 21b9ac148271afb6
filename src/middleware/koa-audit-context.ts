// Gives the audit events a request records its IP, user agent and request id (read only when
// an event is recorded).
import type { Context, Middleware } from 'koa';
import { withRequestFacts } from '../libraries/audit/context.ts';

export const auditContext = (): Middleware => (ctx: Context, next) =>
  withRequestFacts(() => ({ ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined, requestId: ctx.state.requestId as string | undefined }), next);
