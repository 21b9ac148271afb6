// Errors of the SCIM API as RFC 7644 §3.12 errors (application/scim+json), 401 and 403
// included, with the scimType a directory acts on (uniqueness, invalidFilter, invalidValue …).
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import SCIMMY from 'scimmy';
import { RequestError } from '../../../libraries/errors.ts';

export const SCIM_TYPE = 'application/scim+json';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A scimType for Latchkey's own refusals, where RFC 7644 has one. */
function scimTypeOf(code: string): string | undefined {
  if (code === 'email_taken' || code === 'role_exists') return 'uniqueness';
  if (code === 'malformed_body') return 'invalidSyntax';
  if (/^(invalid_|name_|password_|email_)/.test(code) || code === 'built_in_role') return 'invalidValue';
  return undefined;
}

export function scimErrors(log: Logger): Middleware {
  return async (ctx, next) => {
    let status: number;
    let scimType: string | undefined;
    let detail: string;
    try {
      await next();
      if (ctx.status < 400 || ctx.body !== undefined) return;
      status = ctx.status;
      detail = status === 404 ? `No such resource: ${ctx.method} ${ctx.path}.` : `${ctx.method} is not allowed here.`;
    } catch (error) {
      if (error instanceof SCIMMY.Types.Error) {
        status = error.status;
        scimType = error.scimType ?? undefined;
        detail = error.message;
      } else if (error instanceof RequestError) {
        status = error.status;
        scimType = scimTypeOf(error.code);
        detail = error.message;
        if (typeof error.details.retryAfter === 'number') ctx.set('Retry-After', String(error.details.retryAfter));
      } else if (error instanceof TypeError && /^(Attribute|Value|Expected|Required|Unexpected|Invalid)/.test(error.message)) {
        status = 400; // scimmy's schema check of what was sent
        scimType = 'invalidValue';
        detail = error.message;
      } else {
        log.error({ err: error, req_id: ctx.state.requestId }, 'SCIM request failed');
        status = 500;
        detail = 'Something went wrong on our side.';
      }
    }
    ctx.status = status;
    ctx.body = { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
    ctx.type = SCIM_TYPE;
  };
}
