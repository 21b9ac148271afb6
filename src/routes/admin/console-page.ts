// Renders a console page inside the console's frame (navigation, who is signed in), with what
// every page needs: the CSRF token, the notice a change redirected back with (?done=…), and a
// refusal to show when a change was refused.
import type { Context } from 'koa';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { RequestError } from '../../libraries/errors.ts';
import { errorText } from '../../pages/error-text.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';
import type { Services } from '../../services.ts';
import { consoleAdmin } from './console-session.ts';

export type ConsoleSection = 'overview' | 'people' | 'applications' | 'roles' | 'audit' | 'keys';

export interface ConsolePageLocals {
  /** The catalogue key of the page's title. */
  title: string;
  section: ConsoleSection;
  /** Catalogue keys of the notices this page can be redirected back with, by ?done= value. */
  notices?: Record<string, string>;
  error?: string | FormProblem;
  [name: string]: unknown;
}

export async function renderConsolePage(ctx: Context, services: Services, view: string, locals: ConsolePageLocals, status = 200) {
  const done = typeof ctx.query.done === 'string' && locals.notices && Object.hasOwn(locals.notices, ctx.query.done) ? locals.notices[ctx.query.done] : undefined;
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = await services.renderPage(view, {
    layout: 'admin/layout', csrfToken: ctx.state.csrfToken, error: '', notice: done ?? '', adminEmail: consoleAdmin(ctx).account.email, ...locals,
  });
}

/** Back to a page after a change, naming the notice to show there (a key of its notices). */
export function backTo(ctx: Context, path: string, done?: string) {
  ctx.redirect(done ? `${path}${path.includes('?') ? '&' : '?'}done=${encodeURIComponent(done)}` : path);
  ctx.status = 303;
}

/**
 * Which input of a form a refusal is about: the form's inputs (each refusal code's usual input,
 * see form-problem.ts), an input by refusal code, or a rule of the page's own.
 */
export type FieldOf = readonly string[] | Record<string, string> | ((error: RequestError) => string | undefined);

function problemOf(error: RequestError, fieldOf: FieldOf): FormProblem {
  if (typeof fieldOf === 'function') return { text: errorText(error), field: fieldOf(error) };
  return Array.isArray(fieldOf) ? formProblem(error, fieldOf) : formProblem(error, Object.values(fieldOf), fieldOf as Record<string, string>);
}

/**
 * Runs a change and says whether it was made; a refusal (a RequestError) is shown by `showAgain`
 * with the form's problem (under the input it is about, when there is one) and its status.
 * Anything else is a bug.
 */
export async function consoleChange(ctx: Context, fieldOf: FieldOf, change: () => Promise<unknown>,
  showAgain: (error: FormProblem, status: number) => Promise<void>): Promise<boolean> {
  try {
    await change();
    return true;
  } catch (caught) {
    const error = userMistake(ctx, caught);
    await showAgain(problemOf(error, fieldOf), error.status);
    return false;
  }
}

/** A form field as text ('' when absent or not text). */
export const formText = (ctx: Context, name: string) => {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
};

/** A form's checkbox or a list of them (names repeated), as an array of the values ticked. */
export const formList = (ctx: Context, name: string): string[] => {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((item): item is string => typeof item === 'string');
};
