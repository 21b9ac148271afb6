// Forgotten password pages: ask for a reset link (same answer for every address), then set a
// new password from the mailed link. Nobody is signed in by it.
import Router from '@koa/router';
import type { Context } from 'koa';
import { oneTimeLifetimes } from '../libraries/one-time-secrets.ts';
import { csrfProtection } from '../middleware/koa-csrf.ts';
import { formBody } from '../middleware/koa-form-body.ts';
import { userMistake } from '../middleware/koa-error-handler.ts';
import type { Services } from '../services.ts';

/** Only an interaction id may come back as "return to sign-in": never a URL. */
const interactionUid = (value: unknown) => (typeof value === 'string' && /^[\w-]{1,64}$/.test(value) ? value : '');

export default function passwordResetRoutes(router: Router, services: Services) {
  const pages = new Router({ prefix: '/password' });
  pages.use(formBody(), csrfProtection());

  const render = async (ctx: Context, view: string, locals: { title: string } & Record<string, unknown>, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = await services.renderPage(view, { csrfToken: ctx.state.csrfToken, error: '', ...locals });
  };

  pages.get('/forgot', async (ctx) => {
    await render(ctx, 'password/forgot', { title: 'Reset your password', email: '', uid: interactionUid(ctx.query.uid) });
  });

  pages.post('/forgot', async (ctx) => {
    const form = ctx.request.body as Record<string, unknown>;
    const uid = interactionUid(form.uid);
    const typed = typeof form.email === 'string' ? form.email.trim() : '';
    try {
      const { email } = await services.passwordReset.requestReset({ email: typed, ip: ctx.ip });
      await render(ctx, 'password/link-sent', { title: 'Check your email', email, uid, minutes: oneTimeLifetimes.resetPasswordLink / 60 });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await render(ctx, 'password/forgot', { title: 'Reset your password', email: typed, uid, error: error.message }, error.status);
    }
  });

  pages.get('/reset', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    try {
      const account = await services.passwordReset.checkLink(token);
      await render(ctx, 'password/reset', { title: 'Choose a new password', token, email: account.email, minLength: services.config.passwordMinLength });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await render(ctx, 'password/link-failed', { title: 'Link expired', error: error.message }, error.status);
    }
  });

  pages.post('/reset', async (ctx) => {
    const { token, password } = ctx.request.body as Record<string, unknown>;
    try {
      await services.passwordReset.resetPassword({ token, password });
      await render(ctx, 'password/changed', { title: 'Password changed' });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      if (error.code === 'link_invalid') {
        await render(ctx, 'password/link-failed', { title: 'Link expired', error: error.message }, error.status);
        return;
      }
      const account = await services.passwordReset.checkLink(token);
      await render(ctx, 'password/reset', { title: 'Choose a new password', token, email: account.email, minLength: services.config.passwordMinLength, error: error.message }, error.status);
    }
  });

  router.use(pages.routes());
}
