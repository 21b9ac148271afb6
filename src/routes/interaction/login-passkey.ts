// "Sign in with a passkey" (and passkey autofill) on the sign-in page: a discoverable
// credential with user verification names the account and proves two factors at once.
import type Router from '@koa/router';
import { RequestError } from '../../libraries/errors.ts';
import { webauthnAmr } from '../../libraries/mfa/webauthn.ts';
import type { Services } from '../../services.ts';
import { loadInteraction } from './load-interaction.ts';
import { renderLoginPage } from './login-password.ts';
import { completeFirstFactor, parseJson } from './second-factor.ts';

export default function passkeyLoginRoutes(router: Router, services: Services) {
  router.post('/:uid/passkey/options', async (ctx) => {
    await loadInteraction(ctx, services, 'login');
    ctx.body = await services.webauthn.authenticationOptions();
  });

  router.post('/:uid/passkey', async (ctx) => {
    const { details, client } = await loadInteraction(ctx, services, 'login');
    const form = ctx.request.body as Record<string, unknown>;
    try {
      const { credential, userVerified } = await services.webauthn.authenticate({ challengeId: form.challengeId, response: parseJson(form.response) });
      const account = await services.accounts.maybeFindActiveAccount(credential.account_id);
      if (!account) throw new RequestError('account_disabled', 403, 'This account is disabled. Contact your administrator.');
      await services.accounts.recordLogin(account.id);
      // The authenticator verified the person (PIN or biometrics) on top of holding the key.
      const amr = userVerified ? [webauthnAmr(credential), 'mfa'] : [webauthnAmr(credential)];
      await completeFirstFactor(ctx, services, { uid: details.uid, accountId: account.id, amr, remember: form.remember === 'yes', params: details.params });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      await renderLoginPage(ctx, services, { uid: details.uid, client, email: '', error: error.message, status: error.status });
    }
  });
}
