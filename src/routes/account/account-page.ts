// Renders a page of the account area inside its frame (navigation, who is signed in), with what
// every page needs: the CSRF token, and the notice a change redirected back with (?done=…).
import type { Context } from 'koa';
import type { FormProblem } from '../../pages/form-problem.ts';
import { preferAccountLanguage } from '../../pages/page-language.ts';
import type { Services } from '../../services.ts';
import type { AccountSession } from './account-session.ts';

export type AccountSection = 'home' | 'profile' | 'email' | 'password' | 'security' | 'devices' | 'apps' | 'activity' | 'data';

export interface AccountPageLocals {
  /** The catalogue key of the page's title. */
  title: string;
  section: AccountSection;
  /** Catalogue keys of the notices this page can be redirected back with, by ?done= value. */
  notices?: Record<string, string>;
  error?: string | FormProblem;
  [name: string]: unknown;
}

export async function renderAccountPage(ctx: Context, services: Services, session: AccountSession, view: string, locals: AccountPageLocals, status = 200) {
  preferAccountLanguage(session.account.preferred_language);
  const done = typeof ctx.query.done === 'string' && locals.notices && Object.hasOwn(locals.notices, ctx.query.done) ? locals.notices[ctx.query.done] : undefined;
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = await services.renderPage(view, {
    layout: 'account/layout', csrfToken: ctx.state.csrfToken, error: '', notice: done ?? '', accountEmail: session.account.email, ...locals,
  });
}
