// The verification link from the mail. Opening it shows a button, because mail scanners open
// links too; the click verifies the address and, in the browser that signed up, carries on
// into the application's sign-in.
import type Router from '@koa/router';
import { createRouter } from './router.ts';
import { csrfProtection } from '../middleware/koa-csrf.ts';
import { formBody } from '../middleware/koa-form-body.ts';
import { userMistake } from '../middleware/koa-error-handler.ts';
import type { Services } from '../services.ts';
import { readAllPendingSignIns, writePendingSignIn } from './interaction/pending-sign-in.ts';
import { renderChoosePasswordPage } from './password-reset.ts';
import { errorText } from '../pages/error-text.ts';

export default function verifyEmailLinkRoutes(router: Router, services: Services) {
  const link = createRouter('/verify-email');
  link.use(formBody(), csrfProtection());

  link.get('/', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    ctx.type = 'html';
    try {
      await services.emailVerification.checkLink(token);
      ctx.body = await services.renderPage('verify-email/confirm', { title: 'verifyEmail.confirmTitle', csrfToken: ctx.state.csrfToken, token });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      ctx.status = error.status;
      ctx.body = await services.renderPage('verify-email/failed', { title: 'password.linkExpiredTitle', error: errorText(error) });
    }
  });

  link.post('/', async (ctx) => {
    const { token } = ctx.request.body as Record<string, unknown>;
    try {
      // The browser that registered the account goes on with its sign-in; anywhere else, the
      // address's owner claims the account and chooses its password.
      const linkAccountId = await services.emailVerification.checkLink(token);
      const pending = readAllPendingSignIns(ctx, services).find((each) => each.step === 'verify_email' && each.accountId !== null && each.accountId === linkAccountId);
      const verified = await services.emailVerification.verifyWithLink(token, pending?.accountId ?? undefined);
      if (verified.claimed) {
        await renderChoosePasswordPage(ctx, services, { token: verified.passwordToken, claimed: true });
        return;
      }
      if (pending) {
        writePendingSignIn(ctx, services, { ...pending, linkVerified: true });
        ctx.redirect(`/interaction/${pending.uid}`);
        ctx.status = 303;
        return;
      }
      ctx.type = 'html';
      ctx.body = await services.renderPage('verify-email/done', { title: 'verifyEmail.doneTitle' });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      ctx.status = error.status;
      ctx.type = 'html';
      ctx.body = await services.renderPage('verify-email/failed', { title: 'password.linkExpiredTitle', error: errorText(error) });
    }
  });

  router.use(link.routes());
}
