// The "Create account" step of an authorization: name, email and password. Whatever the
// address, the person is then asked for the code mailed to it (see check-email.ts).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import { signupSourceOf } from '../../libraries/signup-source.ts';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { Services } from '../../services.ts';
import { loadInteraction, type ClientDisplay } from './load-interaction.ts';
import { writePendingSignIn } from './pending-sign-in.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';

async function renderRegisterPage(ctx: Context, services: Services, view: {
  uid: string; client: ClientDisplay; email?: string; name?: string; error?: string | FormProblem; status?: number;
}) {
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/register', {
    title: 'register.title', csrfToken: ctx.state.csrfToken, email: '', name: '', error: '',
    minLength: services.config.passwordMinLength, ...view,
  });
}

export default function registerRoutes(router: Router, services: Services) {
  const assertOpen = () => {
    if (!services.registration.open) throw new RequestError('registration_closed', 404, 'New accounts cannot be created here. Ask your administrator for an account.', { messageKey: 'messages.registrationClosedAsk' });
  };

  router.get('/:uid/register', async (ctx) => {
    assertOpen();
    const { details, client } = await loadInteraction(ctx, services, 'login');
    await renderRegisterPage(ctx, services, { uid: details.uid, client, email: String(details.params.login_hint ?? '') });
  });

  router.post('/:uid/register', async (ctx) => {
    assertOpen();
    const { details, client } = await loadInteraction(ctx, services, 'login');
    const form = ctx.request.body as Record<string, unknown>;
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const name = typeof form.name === 'string' ? form.name : '';
    try {
      const { accountId, email: address } = await services.registration.register({
        email, password: form.password, name, ip: ctx.ip, source: signupSourceOf(details.params),
      });
      // Always the mailed code next, even where unverified accounts may sign in: going straight on
      // for a new address would tell a taken one apart.
      writePendingSignIn(ctx, services, { uid: details.uid, step: 'verify_email', email: address, accountId, remember: false, amr: ['pwd'], passwordStamp: null });
      ctx.redirect(`/interaction/${details.uid}`);
      ctx.status = 303;
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderRegisterPage(ctx, services, { uid: details.uid, client, email, name, error: formProblem(error, ['name', 'email', 'password']), status: error.status });
    }
  });
}
