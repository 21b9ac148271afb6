// Errors of the admin API as RFC 9457 problem details (application/problem+json): a stable
// type URN per code, the HTTP status, a title, the detail fit to show, and for a body or query
// that failed validation, where each mistake is. Anything unexpected is a logged 500 without details.
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import { RequestError } from '../../libraries/errors.ts';

export const problemSchema = z.object({
  type: z.string().describe('urn:latchkey:problem:<code>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('The same code as in type, for programs'),
  errors: z.array(z.object({ in: z.enum(['path', 'query', 'body']), path: z.string(), message: z.string() })).optional(),
});

export type Problem = z.infer<typeof problemSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 409: 'Conflict',
  413: 'Body too large', 415: 'Unsupported media type', 422: 'Unprocessable content', 429: 'Too many requests', 500: 'Server error',
};

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `urn:latchkey:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

/** A request that failed validation, with each mistake and where it is. */
export class ValidationFailed extends Error {
  readonly errors: NonNullable<Problem['errors']>;
  constructor(errors: NonNullable<Problem['errors']>) {
    super('The request is not valid.');
    this.errors = errors;
  }

  static from(where: 'path' | 'query' | 'body', error: z.ZodError): ValidationFailed {
    return new ValidationFailed(error.issues.map((issue) => ({ in: where, path: issue.path.map(String).join('.'), message: issue.message })));
  }
}

export function problemDetails(log: Logger): Middleware {
  return async (ctx, next) => {
    let answer: Problem;
    try {
      await next();
      if (ctx.status < 400 || ctx.body !== undefined) return;
      answer = ctx.status === 404 ? problem(404, 'not_found', `No such resource: ${ctx.method} ${ctx.path}.`)
        : problem(ctx.status, 'method_not_allowed', `${ctx.method} is not allowed here (Allow: ${ctx.response.get('Allow')}).`);
    } catch (error) {
      const httpError = error as { status?: number; expose?: boolean; message?: string };
      if (error instanceof ValidationFailed) answer = problem(400, 'invalid_request', error.message, { errors: error.errors });
      else if (error instanceof RequestError) {
        answer = problem(error.status, error.code, error.message);
        if (typeof error.details.retryAfter === 'number') ctx.set('Retry-After', String(error.details.retryAfter));
      } else if (httpError.expose && httpError.status && httpError.status < 500) {
        answer = problem(httpError.status, httpError.status === 405 ? 'method_not_allowed' : 'bad_request', httpError.message ?? 'Bad request');
      } else {
        log.error({ err: error, req_id: ctx.state.requestId }, 'admin API request failed');
        answer = problem(500, 'server_error', 'Something went wrong on our side.');
      }
    }
    ctx.status = answer.status;
    ctx.body = answer;
    ctx.type = 'application/problem+json';
  };
}
