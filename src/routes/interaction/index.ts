// The interaction pages oidc-provider sends people to: one GET that shows the step the
// provider waits for, and one POST per step. Every page is no-store and CSRF-protected.
import type Router from '@koa/router';
import { createRouter } from '../router.ts';
import type { Context } from 'koa';
import { MFA_REQUIRED_REASON } from '../../libraries/mfa/assurance.ts';
import { RequestError } from '../../libraries/errors.ts';
import { csrfProtection } from '../../middleware/koa-csrf.ts';
import { formBody } from '../../middleware/koa-form-body.ts';
import type { Services } from '../../services.ts';
import checkEmailRoutes, { showCheckEmailStep } from './check-email.ts';
import consentRoutes, { renderConsentPage } from './consent.ts';
import enrolFactorRoutes, { renderEnrolPage } from './enrol-factor.ts';
import { finishStep, loadInteraction } from './load-interaction.ts';
import emailCodeLoginRoutes from './login-email-code.ts';
import passkeyLoginRoutes from './login-passkey.ts';
import passwordLoginRoutes, { renderLoginPage } from './login-password.ts';
import { readPendingSignIn, type PendingSignIn } from './pending-sign-in.ts';
import registerRoutes from './register.ts';
import secondFactorRoutes, { completeFirstFactor, finishSignIn, renderSecondFactorPage } from './second-factor.ts';

type Loaded = Awaited<ReturnType<typeof loadInteraction>>;

/** The page of the step a sign-in in progress waits at. */
async function showPendingStep(ctx: Context, services: Services, loaded: Loaded, pending: PendingSignIn) {
  const { details, client } = loaded;
  switch (pending.step) {
    case 'verify_email':
    case 'email_code':
      return showCheckEmailStep(ctx, services, loaded, pending);
    case 'second_factor':
      return renderSecondFactorPage(ctx, services, { uid: details.uid, client, pending });
    case 'enrol_factor':
      return renderEnrolPage(ctx, services, { uid: details.uid, client, pending, params: details.params });
    case 'enrolled': // the recovery codes were shown; a reload just goes on
      return finishSignIn(ctx, services, pending);
  }
}

/**
 * Signed in already, and asked to sign in only because a second factor is now wanted
 * (acr_values, MFA_REQUIRED, or a factor added since), and the account has one to pass: the
 * password is not asked again. Setting a factor up always takes a first factor proved here
 * and now, so an old or stolen session cannot add one.
 */
async function onlySecondFactorMissing(services: Services, { details }: Loaded): Promise<boolean> {
  const reasons = details.prompt.reasons;
  const accountId = details.session?.accountId;
  if (!accountId || !reasons.length || !reasons.every((reason) => reason === MFA_REQUIRED_REASON)) return false;
  return services.secondFactors.hasAny(accountId);
}

/** Whether the signed-in session is a "keep me signed in" one, so that stepping up keeps it so. */
async function sessionIsPersistent(services: Services, { details }: Loaded): Promise<boolean> {
  const session = details.session?.cookie ? await services.provider.current.Session.find(details.session.cookie) : undefined;
  return Boolean(session && !session.transient);
}

export default function interactionRoutes(router: Router, services: Services) {
  const interaction = createRouter('/interaction');
  interaction.use(formBody(), csrfProtection());

  interaction.get('/:uid', async (ctx) => {
    const loaded = await loadInteraction(ctx, services);
    const { details, client } = loaded;
    switch (details.prompt.name) {
      case 'login': {
        const pending = readPendingSignIn(ctx, services, details.uid);
        if (pending) return showPendingStep(ctx, services, loaded, pending);
        if (await onlySecondFactorMissing(services, loaded)) {
          const { accountId, amr } = details.session!;
          const remember = await sessionIsPersistent(services, loaded);
          return completeFirstFactor(ctx, services, { uid: details.uid, accountId, amr: amr ?? [], remember, params: details.params });
        }
        return renderLoginPage(ctx, services, { uid: details.uid, client, email: String(details.params.login_hint ?? '') });
      }
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
  passkeyLoginRoutes(interaction, services);
  secondFactorRoutes(interaction, services);
  enrolFactorRoutes(interaction, services);
  consentRoutes(interaction, services);

  interaction.post('/:uid/abort', async (ctx) => {
    await loadInteraction(ctx, services);
    await finishStep(ctx, services, { error: 'access_denied', error_description: 'The user cancelled the request.' });
  });

  router.use(interaction.routes());
}
