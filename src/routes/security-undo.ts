// The "this wasn't me" link of a security notice. Opening it shows what it will do and a
// button (mail scanners open links); the click undoes the change as far as is safe, signs out
// everywhere and leads to choosing a new password.
import type Router from '@koa/router';
import { createRouter } from './router.ts';
import type { Context } from 'koa';
import { csrfProtection } from '../middleware/koa-csrf.ts';
import { formBody } from '../middleware/koa-form-body.ts';
import { userMistake } from '../middleware/koa-error-handler.ts';
import type { Services } from '../services.ts';
import { renderChoosePasswordPage } from './password-reset.ts';
import { errorText } from '../pages/error-text.ts';
import { translator } from '../libraries/i18n/catalogue.ts';
import { phrase, say } from '../libraries/i18n/phrase.ts';
import { currentLanguage } from '../pages/page-language.ts';
import { formProblem, type FormProblem } from '../pages/form-problem.ts';

export default function securityUndoRoutes(router: Router, services: Services) {
  const undo = createRouter('/security/undo');
  undo.use(formBody(), csrfProtection());

  const linkFailed = async (ctx: Context, caught: unknown) => {
    const error = userMistake(ctx, caught);
    ctx.status = error.status;
    ctx.type = 'html';
    ctx.body = await services.renderPage('password/link-failed', { title: 'password.linkExpiredTitle', error: errorText(error) });
  };

  const renderConfirm = async (ctx: Context, token: string, error: string | FormProblem = '', status = 200) => {
    const { email, undoes, needsPassword } = await services.securityNotices.describeUndo(token);
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = await services.renderPage('security-undo/confirm', { title: 'securityUndo.title', csrfToken: ctx.state.csrfToken, token, email, undoes, needsPassword, error });
  };

  undo.get('/', async (ctx) => {
    try {
      await renderConfirm(ctx, typeof ctx.query.token === 'string' ? ctx.query.token : '');
    } catch (caught) {
      await linkFailed(ctx, caught);
    }
  });

  undo.post('/', async (ctx) => {
    const form = ctx.request.body as Record<string, unknown>;
    const token = typeof form.token === 'string' ? form.token : '';
    let undone: Awaited<ReturnType<Services['securityNotices']['undo']>>;
    try {
      undone = await services.securityNotices.undo(token, form.password);
    } catch (caught) {
      const error = userMistake(ctx, caught);
      if (error.code === 'link_invalid') await linkFailed(ctx, caught);
      else await renderConfirm(ctx, token, formProblem(error, ['password']), error.status).catch((again: unknown) => linkFailed(ctx, again));
      return;
    }
    const lang = currentLanguage();
    await renderChoosePasswordPage(ctx, services, { token: undone.passwordToken, notice: say(translator(lang), lang, [...undone.done, phrase('undo.signedOut')]) });
  });

  router.use(undo.routes());
}
