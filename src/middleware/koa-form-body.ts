// Parses url-encoded form bodies for Latchkey's own routes, with a tight size limit; a body
// that cannot be read is the sender's mistake (4xx). oidc-provider parses its own requests,
// so this is never mounted in front of it.
import bodyParser from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { RequestError } from '../libraries/errors.ts';

export function formBody(): Middleware {
  return bodyParser({
    enableTypes: ['form'],
    formLimit: '32kb',
    onError(error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw new RequestError('body_too_large', 413, 'The form sent is too large.');
      throw new RequestError('malformed_body', 400, 'The form sent could not be read.');
    },
  }) as Middleware;
}
