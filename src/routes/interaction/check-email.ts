// The "check your email" step of a pending sign-in: enter the mailed code (verification of a
// new or unverified account, or an email sign-in code), ask for a new one, or start over.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { signupSourceOf } from '../../libraries/signup-source.ts';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { Services } from '../../services.ts';
import { loadInteraction, type ClientDisplay } from './load-interaction.ts';
import { renderChoosePasswordPage } from '../password-reset.ts';
import { renderLoginPage } from './login-password.ts';
import { clearPendingSignIn, loadPendingStep, pendingAccount, type PendingSignIn } from './pending-sign-in.ts';
import { completeFirstFactor } from './second-factor.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';

type Loaded = Awaited<ReturnType<typeof loadInteraction>>;

export async function renderCheckEmailPage(ctx: Context, services: Services, view: {
  uid: string; client: ClientDisplay; pending: PendingSignIn; /** A catalogue key. */ notice?: string; error?: string | FormProblem; status?: number;
}) {
  const resendIn = await services.mailLimits.secondsUntilNextSend(view.pending.step === 'email_code' ? 'sign_in' : 'verify_email', view.pending.email);
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/check-email', {
    title: 'checkEmail.title', csrfToken: ctx.state.csrfToken, notice: '', error: '',
    registrationOpen: services.registration.open, resendIn, ...view,
  });
}

/** The mailed code or link proved the address: the first factor is done. */
function firstFactorDone(ctx: Context, services: Services, { details }: Loaded, pending: PendingSignIn, accountId: string) {
  return completeFirstFactor(ctx, services, {
    uid: details.uid, accountId, amr: pending.amr, remember: pending.remember, params: details.params, deviceTag: pending.deviceTag,
  });
}

const VERIFIED_NOTICE = 'login.verified'; // a catalogue key, as every notice

/**
 * Shows the code page, or, once the address was verified, goes on with the sign-in (link
 * opened in this browser) or back to the sign-in page (verified elsewhere: this browser
 * must prove the password again).
 */
export async function showCheckEmailStep(ctx: Context, services: Services, loaded: Loaded, pending: PendingSignIn): Promise<void> {
  const { details, client } = loaded;
  if (pending.step === 'verify_email' && pending.accountId) {
    const account = await pendingAccount(services, pending);
    if (account?.email_verified && pending.linkVerified) return firstFactorDone(ctx, services, loaded, pending, account.id);
    if (!account || account.email_verified) {
      clearPendingSignIn(ctx, details.uid);
      return renderLoginPage(ctx, services, { uid: details.uid, client, email: account?.email ?? '', notice: account ? VERIFIED_NOTICE : '' });
    }
  }
  await renderCheckEmailPage(ctx, services, { uid: details.uid, client, pending });
}

const loadPending = (ctx: Context, services: Services) => loadPendingStep(ctx, services, ['verify_email', 'email_code']);

export default function checkEmailRoutes(router: Router, services: Services) {
  router.post('/:uid/code', async (ctx) => {
    const loaded = await loadPending(ctx, services);
    const { details, client, pending } = loaded;
    const { code } = ctx.request.body as Record<string, unknown>;
    try {
      if (pending.step === 'email_code') {
        const account = await services.metrics.countSignIn('email_code', services.emailCodeSignIn.signInWithCode({
          email: pending.email, code, ip: ctx.ip, source: signupSourceOf(details.params),
        }));
        await firstFactorDone(ctx, services, loaded, pending, account.id);
        return;
      }
      const verified = await services.emailVerification.verifyWithCode({ email: pending.email, code, ip: ctx.ip, registrantAccountId: pending.accountId });
      if (!verified.claimed && verified.accountId === pending.accountId) {
        await firstFactorDone(ctx, services, loaded, pending, verified.accountId);
        return;
      }
      clearPendingSignIn(ctx, details.uid);
      if (verified.claimed) {
        // This browser registered a taken address and holds its mail: the owner claims the
        // account someone else registered, and chooses its password.
        await renderChoosePasswordPage(ctx, services, { token: verified.passwordToken, claimed: true, uid: details.uid });
        return;
      }
      // Verified already, but this browser never proved it holds that account's password.
      await renderLoginPage(ctx, services, { uid: details.uid, client, email: pending.email, notice: VERIFIED_NOTICE });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderCheckEmailPage(ctx, services, { uid: details.uid, client, pending, error: formProblem(error, ['code']), status: error.status });
    }
  });

  router.post('/:uid/resend', async (ctx) => {
    const { details, client, pending } = await loadPending(ctx, services);
    try {
      if (pending.step === 'email_code') {
        await services.emailCodeSignIn.sendCode({ email: pending.email, ip: ctx.ip });
      } else {
        await services.emailVerification.resendVerificationMail({ accountId: pending.accountId, email: pending.email, ip: ctx.ip });
      }
      await renderCheckEmailPage(ctx, services, { uid: details.uid, client, pending, notice: 'checkEmail.resent' });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderCheckEmailPage(ctx, services, { uid: details.uid, client, pending, error: formProblem(error, ['code']), status: error.status });
    }
  });

  router.post('/:uid/restart', async (ctx) => {
    const { details } = await loadInteraction(ctx, services, 'login');
    clearPendingSignIn(ctx, details.uid);
    ctx.redirect(`/interaction/${details.uid}`);
    ctx.status = 303;
  });
}
