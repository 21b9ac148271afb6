// One admin API route, described once: its method and path, the scope it needs, the zod schemas
// of its path, query, body and answers, and its handler. The router validates with the schemas
// and the OpenAPI document is generated from them, so the two cannot drift apart.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { permits, type ApiCaller, type ApiNeed } from '../../../libraries/api-access.ts';
import { RequestError } from '../../../libraries/errors.ts';
import { callerOf } from '../../../middleware/koa-bearer-auth.ts';
import type { Services } from '../../../services.ts';
import { ValidationFailed } from '../problem-details.ts';

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;
type Output<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteDefinition<P extends AnyObject | undefined, Q extends AnyObject | undefined, B extends z.ZodType | undefined> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI style: /users/{id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  need: Exclude<ApiNeed, 'scim'>;
  params?: P;
  query?: Q;
  body?: B;
  /** Every answer but the errors (problem details), by status; no schema: no body. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Refusals of its own (problem details) beyond 400, 401, 403, 404 and 429, by status. */
  problems?: Record<number, string>;
  handle(input: { params: Output<P>; query: Output<Q>; body: Output<B>; caller: ApiCaller; services: Services; ctx: Context }): Promise<Answer>;
}

export type ApiRoute = RouteDefinition<AnyObject | undefined, AnyObject | undefined, z.ZodType | undefined>;

export const defineRoute = <P extends AnyObject | undefined = undefined, Q extends AnyObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  route: RouteDefinition<P, Q, B>,
): ApiRoute => route as unknown as ApiRoute;

function validate(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw ValidationFailed.from(where, parsed.error);
  return parsed.data;
}

export function mountRoutes(router: Router, routes: ApiRoute[], services: Services): void {
  for (const route of routes) {
    const koaPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    router[route.method](koaPath, async (ctx) => {
      const caller = callerOf(ctx);
      if (!permits(caller, route.need)) {
        ctx.set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${route.need === 'admin:read' ? 'admin:read admin' : 'admin'}"`);
        throw new RequestError('insufficient_scope', 403, `This needs the ${route.need} scope${route.need === 'admin:read' ? ' (or admin)' : ''}.`);
      }
      const params = validate(route.params, ctx.params, 'path');
      const query = validate(route.query, ctx.query, 'query');
      if (route.body && !ctx.is('json')) throw new RequestError('unsupported_media_type', 415, 'Send the body as application/json.');
      const body = validate(route.body, (ctx.request as { body?: unknown }).body, 'body');
      const answer = await route.handle({ params, query, body, caller, services, ctx } as never);
      for (const [name, value] of Object.entries(answer.headers ?? {})) ctx.set(name, value);
      ctx.body = answer.body ?? null; // null: no body at all (Koa would otherwise send the status text)
      ctx.status = answer.status; // after the body, which set 204 for null
    });
  }
}
