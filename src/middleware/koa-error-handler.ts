// Turns errors into answers: a person's or client's mistake into its status with a clear message
// (a page for browsers, JSON for programs); anything unexpected into a logged 500 without details.
import type { Context, Middleware } from 'koa';
import { errors as oidcErrors } from 'oidc-provider';
import type { Logger } from 'pino';
import { RequestError } from '../libraries/errors.ts';
import { errorPageLocals } from '../pages/error-page.ts';
import type { RenderPage } from '../pages/render-page.ts';

interface Answer {
  status: number;
  code: string;
  message: string;
}

function toAnswer(error: unknown): Answer | undefined {
  if (error instanceof RequestError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof oidcErrors.SessionNotFound) {
    return { status: 400, code: 'session_expired', message: 'This sign-in has expired or was started in another browser.' };
  }
  if (error instanceof oidcErrors.OIDCProviderError) {
    return { status: error.status, code: error.error, message: error.error_description ?? error.message };
  }
  const httpError = error as { status?: number; expose?: boolean; message?: string };
  if (httpError.expose && httpError.status && httpError.status < 500) {
    return { status: httpError.status, code: 'bad_request', message: httpError.message ?? 'Bad request' };
  }
  return undefined;
}

/**
 * For a route that answers a person's mistake on its own form: anything but a RequestError is
 * rethrown (to become a 500 here); the mistake gets its Retry-After, as it would here.
 */
export function userMistake(ctx: Context, error: unknown): RequestError {
  if (!(error instanceof RequestError)) throw error;
  if (typeof error.details.retryAfter === 'number') ctx.set('Retry-After', String(error.details.retryAfter));
  return error;
}

/**
 * Where a person whose form was refused before any route saw it (too large, unreadable) can try
 * again: the step of the same sign-in, or the page of the form. Forms that carry a token from a
 * mail have none (the browser's Back button still works).
 */
function retryPathFor(ctx: Context): string {
  if (ctx.method !== 'POST') return '';
  const step = /^\/interaction\/([\w-]{1,64})\//.exec(ctx.path);
  if (step) return `/interaction/${step[1]}`;
  if (ctx.path === '/password/forgot') return '/password/forgot';
  if (ctx.path.startsWith('/account/')) return '/account/security';
  if (ctx.path.startsWith('/admin/')) return '/admin';
  return '';
}

export function errorHandler({ log, renderPage }: { log: Logger; renderPage: RenderPage }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) {
        throw new RequestError('not_found', 404, 'Not found');
      }
    } catch (error) {
      const answer = toAnswer(error) ?? { status: 500, code: 'server_error', message: 'Something went wrong on our side.' };
      if (answer.status >= 500) log.error({ err: error, req_id: ctx.state.requestId }, 'request failed');
      ctx.status = answer.status;
      if (error instanceof RequestError) userMistake(ctx, error);
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.body = { error: answer.code, error_description: answer.message };
      } else {
        ctx.type = 'html';
        const retry = error instanceof RequestError && ['body_too_large', 'malformed_body'].includes(error.code) ? retryPathFor(ctx) : '';
        ctx.body = await renderPage('error', errorPageLocals(answer.code, answer.status >= 500 ? undefined : answer.message, retry));
      }
    }
  };
}
