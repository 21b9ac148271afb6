// The sign-in step with email and password: shows the form, checks the credentials through
// the password sign-in library and records the login in the interaction.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { Services } from '../../services.ts';
import { readKnownDevices } from './known-device-cookie.ts';
import { loadInteraction, type ClientDisplay } from './load-interaction.ts';
import { completeFirstFactor } from './second-factor.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';

export async function renderLoginPage(ctx: Context, services: Services, view: {
  uid: string; client: ClientDisplay; email: string; remember?: boolean; notice?: string; error?: string | FormProblem; status?: number;
}) {
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/login', {
    title: 'login.title', csrfToken: ctx.state.csrfToken, remember: false, notice: '', error: '',
    registrationOpen: services.registration.open, ...view,
  });
}

export default function passwordLoginRoutes(router: Router, services: Services) {
  router.post('/:uid/login', async (ctx) => {
    const { details, client } = await loadInteraction(ctx, services, 'login');
    const form = ctx.request.body as Record<string, unknown>;
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const remember = form.remember === 'yes';
    try {
      const { account, deviceTag } = await services.metrics.countSignIn('password',
        services.passwordSignIn({ email, password: form.password, ip: ctx.ip, knownDevices: readKnownDevices(ctx) }));
      await completeFirstFactor(ctx, services, { uid: details.uid, accountId: account.id, account, amr: ['pwd'], remember, params: details.params, deviceTag });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderLoginPage(ctx, services, { uid: details.uid, client, email, remember, error: formProblem(error, ['email', 'password']), status: error.status });
    }
  });
}
