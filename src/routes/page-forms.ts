// What the pages of the account area and the admin console do with a form: read its fields,
// run the change, show a refusal under the input it is about, and go back with a notice.
import type { Context } from 'koa';
import { userMistake } from '../middleware/koa-error-handler.ts';
import type { RequestError } from '../libraries/errors.ts';
import { errorText } from '../pages/error-text.ts';
import { formProblem, type FormProblem } from '../pages/form-problem.ts';

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
export async function pageChange(ctx: Context, fieldOf: FieldOf, change: () => Promise<unknown>,
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
