// Forgotten password pages: ask for a reset link (same answer for every address), then set a
// new password from the mailed link. Nobody is signed in by it.
import type Router from '@koa/router';
import { createRouter } from './router.ts';
import type { Context } from 'koa';
import { oneTimeLifetimes } from '../libraries/one-time-secrets.ts';
import { csrfProtection } from '../middleware/koa-csrf.ts';
import { formBody } from '../middleware/koa-form-body.ts';
import { userMistake } from '../middleware/koa-error-handler.ts';
import type { Services } from '../services.ts';
import { errorText } from '../pages/error-text.ts';
import { formProblem, type FormProblem } from '../pages/form-problem.ts';

/** Only an interaction id may come back as "return to sign-in": never a URL. */
const interactionUid = (value: unknown) => (typeof value === 'string' && /^[\w-]{1,64}$/.test(value) ? value : '');

/**
 * The new-password form. `claimed`: the person just proved an address someone else had
 * registered, and chooses the password of the account that is now theirs. `uid`: the sign-in
 * to go back to afterwards.
 */
export async function renderChoosePasswordPage(ctx: Context, services: Services, view: {
  token: string; claimed?: boolean; uid?: string; notice?: string; error?: string | FormProblem; status?: number;
}) {
  const account = await services.passwordReset.checkLink(view.token);
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('password/reset', {
    title: view.claimed ? 'password.chooseTitle' : 'password.chooseNewTitle', csrfToken: ctx.state.csrfToken, error: '', notice: '', uid: '', claimed: false,
    email: account.email, minLength: services.config.passwordMinLength, ...view,
  });
}

export default function passwordResetRoutes(router: Router, services: Services) {
  const pages = createRouter('/password');
  pages.use(formBody(), csrfProtection());

  const render = async (ctx: Context, view: string, locals: { title: string } & Record<string, unknown>, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = await services.renderPage(view, { csrfToken: ctx.state.csrfToken, error: '', ...locals });
  };

  pages.get('/forgot', async (ctx) => {
    await render(ctx, 'password/forgot', { title: 'password.forgotTitle', email: '', uid: interactionUid(ctx.query.uid) });
  });

  pages.post('/forgot', async (ctx) => {
    const form = ctx.request.body as Record<string, unknown>;
    const uid = interactionUid(form.uid);
    const typed = typeof form.email === 'string' ? form.email.trim() : '';
    try {
      const { email } = await services.passwordReset.requestReset({ email: typed, ip: ctx.ip });
      await render(ctx, 'password/link-sent', { title: 'password.sentTitle', email, uid, minutes: oneTimeLifetimes.resetPasswordLink / 60 });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await render(ctx, 'password/forgot', { title: 'password.forgotTitle', email: typed, uid, error: formProblem(error, ['email']) }, error.status);
    }
  });

  pages.get('/reset', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    try {
      await renderChoosePasswordPage(ctx, services, { token });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await render(ctx, 'password/link-failed', { title: 'password.linkExpiredTitle', error: errorText(error) }, error.status);
    }
  });

  pages.post('/reset', async (ctx) => {
    const form = ctx.request.body as Record<string, unknown>;
    const token = typeof form.token === 'string' ? form.token : '';
    const uid = interactionUid(form.uid);
    try {
      await services.passwordReset.resetPassword({ token, password: form.password });
      await render(ctx, 'password/changed', { title: 'password.changedTitle', uid });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      if (error.code === 'link_invalid') {
        await render(ctx, 'password/link-failed', { title: 'password.linkExpiredTitle', error: errorText(error) }, error.status);
        return;
      }
      await renderChoosePasswordPage(ctx, services, { token, uid, claimed: form.claimed === 'yes', error: formProblem(error, ['password']), status: error.status });
    }
  });

  router.use(pages.routes());
}
