// Parses JSON bodies (application/json, and application/scim+json for SCIM) for Latchkey's APIs,
// with a size limit; a body that cannot be read is the caller's mistake (4xx).
import bodyParser from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { RequestError } from '../libraries/errors.ts';

export function jsonBody({ limit = '256kb' }: { limit?: string } = {}): Middleware {
  return bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: ['application/json', 'application/scim+json', 'application/merge-patch+json'] },
    jsonLimit: limit,
    jsonStrict: true,
    onError(error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw new RequestError('body_too_large', 413, `The body is larger than ${limit}.`);
      throw new RequestError('malformed_body', 400, 'The body is not valid JSON.');
    },
  }) as Middleware;
}
