// "Sign in with a passkey" (and passkey autofill) on the sign-in page: a discoverable
// credential with user verification names the account and proves two factors at once.
import type Router from '@koa/router';
import { accountDisabled } from '../../libraries/accounts.ts';
import { webauthnAmr } from '../../libraries/mfa/webauthn.ts';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { Services } from '../../services.ts';
import { webauthnResponse } from '../webauthn-form.ts';
import { loadInteraction } from './load-interaction.ts';
import { renderLoginPage } from './login-password.ts';
import { completeFirstFactor } from './second-factor.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';

export default function passkeyLoginRoutes(router: Router, services: Services) {
  router.post('/:uid/passkey/options', async (ctx) => {
    await loadInteraction(ctx, services, 'login');
    ctx.body = await services.webauthn.authenticationOptions({ ip: ctx.ip });
  });

  router.post('/:uid/passkey', async (ctx) => {
    const { details, client } = await loadInteraction(ctx, services, 'login');
    const form = ctx.request.body as Record<string, unknown>;
    try {
      const credential = await services.metrics.countSignIn('passkey',
        services.webauthn.authenticate({ challengeId: form.challengeId, response: webauthnResponse(form.response), purpose: 'sign_in' }));
      const account = await services.accounts.maybeFindActiveAccount(credential.account_id);
      if (!account) throw accountDisabled();
      // The authenticator verified the person (PIN or biometrics, required here) on top of holding the key.
      const amr = [webauthnAmr(credential), 'mfa'];
      await completeFirstFactor(ctx, services, { uid: details.uid, accountId: account.id, amr, remember: form.remember === 'yes', params: details.params });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderLoginPage(ctx, services, { uid: details.uid, client, email: '', error: formProblem(error, []), status: error.status });
    }
  });
}
