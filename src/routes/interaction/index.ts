// The interaction pages oidc-provider sends people to: one GET that shows the step the
// provider waits for, and one POST per step. Every page is no-store and CSRF-protected.
import Router from '@koa/router';
import { RequestError } from '../../libraries/errors.ts';
import { csrfProtection } from '../../middleware/koa-csrf.ts';
import { formBody } from '../../middleware/koa-form-body.ts';
import type { Services } from '../../services.ts';
import checkEmailRoutes, { showPendingSignIn } from './check-email.ts';
import consentRoutes, { renderConsentPage } from './consent.ts';
import { finishStep, loadInteraction } from './load-interaction.ts';
import emailCodeLoginRoutes from './login-email-code.ts';
import passwordLoginRoutes, { renderLoginPage } from './login-password.ts';
import registerRoutes from './register.ts';

export default function interactionRoutes(router: Router, services: Services) {
  const interaction = new Router({ prefix: '/interaction' });
  interaction.use(formBody(), csrfProtection());

  interaction.get('/:uid', async (ctx) => {
    const loaded = await loadInteraction(ctx, services);
    const { details, client } = loaded;
    switch (details.prompt.name) {
      case 'login':
        if (await showPendingSignIn(ctx, services, loaded)) return;
        return renderLoginPage(ctx, services, { uid: details.uid, client, email: String(details.params.login_hint ?? '') });
      case 'consent':
        return renderConsentPage(ctx, services, loaded);
      default:
        throw new RequestError('session_expired', 400, `Unsupported sign-in step ${details.prompt.name}.`);
    }
  });

  passwordLoginRoutes(interaction, services);
  emailCodeLoginRoutes(interaction, services);
  registerRoutes(interaction, services);
  checkEmailRoutes(interaction, services);
  consentRoutes(interaction, services);

  interaction.post('/:uid/abort', async (ctx) => {
    await loadInteraction(ctx, services);
    await finishStep(ctx, services, { error: 'access_denied', error_description: 'The user cancelled the request.' });
  });

  router.use(interaction.routes());
}
