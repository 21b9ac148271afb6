// "Email me a code" on the sign-in page: mails a one-time code to the address typed in and
// moves to the check-email step, with the same answer for every address.
import type Router from '@koa/router';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { Services } from '../../services.ts';
import { loadInteraction } from './load-interaction.ts';
import { renderLoginPage } from './login-password.ts';
import { writePendingSignIn } from './pending-sign-in.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';

export default function emailCodeLoginRoutes(router: Router, services: Services) {
  router.post('/:uid/email-code', async (ctx) => {
    const { details, client } = await loadInteraction(ctx, services, 'login');
    const form = ctx.request.body as Record<string, unknown>;
    const typed = typeof form.email === 'string' ? form.email.trim() : '';
    const remember = form.remember === 'yes';
    try {
      const { email } = await services.emailCodeSignIn.sendCode({ email: typed, ip: ctx.ip });
      writePendingSignIn(ctx, services, { uid: details.uid, step: 'email_code', email, accountId: null, remember, amr: ['email'], passwordStamp: null });
      ctx.redirect(`/interaction/${details.uid}`);
      ctx.status = 303;
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderLoginPage(ctx, services, { uid: details.uid, client, email: typed, remember, error: formProblem(error, ['email']), status: error.status });
    }
  });
}
