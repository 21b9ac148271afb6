// Renders a console page inside the console's frame (navigation, who is signed in), with what
// every page needs: the CSRF token, the notice a change redirected back with (?done=…), and a
// refusal to show when a change was refused.
import type { Context } from 'koa';
import type { FormProblem } from '../../pages/form-problem.ts';
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

export { backTo, formList, formText, pageChange as consoleChange, type FieldOf } from '../page-forms.ts';
