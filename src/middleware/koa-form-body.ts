// Parses url-encoded form bodies for Latchkey's own routes, with a tight size limit; a body
// that cannot be read is the sender's mistake (4xx), and so is a NUL character in the form or
// the query, which no text column can hold (refused here, before it reaches a query as a 500).
// oidc-provider parses its own requests, so this is never mounted in front of it.
import bodyParser from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { RequestError } from '../libraries/errors.ts';

const hasNul = (value: unknown): boolean =>
  (typeof value === 'string' ? value.includes('\0') : typeof value === 'object' && value !== null && Object.values(value).some(hasNul));

export function formBody(): Middleware {
  const parse = bodyParser({
    enableTypes: ['form'],
    formLimit: '32kb',
    onError(error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw new RequestError('body_too_large', 413, 'The form sent is too large.');
      throw new RequestError('malformed_body', 400, 'The form sent could not be read.');
    },
  }) as Middleware;
  return (ctx, next) => parse(ctx, () => {
    if (hasNul(ctx.query) || hasNul(ctx.request.body)) throw new RequestError('malformed_body', 400, 'The form sent could not be read.');
    return next();
  });
}
