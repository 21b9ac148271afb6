// The "check your email" step of a pending sign-in: enter the mailed code (verification of a
// new or unverified account, or an email sign-in code), ask for a new one, or start over.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import { signupSourceOf } from '../../libraries/signup-source.ts';
import type { Services } from '../../services.ts';
import { finishStep, loadInteraction, type ClientDisplay } from './load-interaction.ts';
import { renderLoginPage } from './login-password.ts';
import { clearPendingSignIn, readPendingSignIn, type PendingSignIn } from './pending-sign-in.ts';

export async function renderCheckEmailPage(ctx: Context, services: Services, view: {
  uid: string; client: ClientDisplay; pending: PendingSignIn; notice?: string; error?: string; status?: number;
}) {
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/check-email', {
    title: 'Check your email', csrfToken: ctx.state.csrfToken, notice: '', error: '',
    registrationOpen: services.registration.open, ...view,
  });
}

/** Signs the browser in to `accountId`, with how it proved itself, and hands back to the provider. */
export async function finishPendingSignIn(ctx: Context, services: Services, pending: PendingSignIn, accountId: string) {
  clearPendingSignIn(ctx);
  await finishStep(ctx, services, { login: { accountId, remember: pending.remember, amr: pending.amr } });
}

const VERIFIED_NOTICE = 'Your email address is verified. Sign in to continue.';

/**
 * Shows the step a pending sign-in waits at, if there is one: the code page, or, once the
 * address was verified, the end of the sign-in (link opened in this browser) or the sign-in
 * page (verified elsewhere: this browser must prove the password again). False if none.
 */
export async function showPendingSignIn(ctx: Context, services: Services, { details, client }: Awaited<ReturnType<typeof loadInteraction>>): Promise<boolean> {
  const pending = readPendingSignIn(ctx, services, details.uid);
  if (!pending) return false;
  if (pending.step === 'verify_email' && pending.accountId) {
    const account = await services.accounts.maybeFindActiveAccount(pending.accountId);
    if (account?.email_verified && pending.linkVerified) {
      await finishPendingSignIn(ctx, services, pending, account.id);
      return true;
    }
    if (!account || account.email_verified) {
      clearPendingSignIn(ctx);
      await renderLoginPage(ctx, services, { uid: details.uid, client, email: account?.email ?? '', notice: account ? VERIFIED_NOTICE : '' });
      return true;
    }
  }
  await renderCheckEmailPage(ctx, services, { uid: details.uid, client, pending });
  return true;
}

async function loadPending(ctx: Context, services: Services) {
  const loaded = await loadInteraction(ctx, services, 'login');
  const pending = readPendingSignIn(ctx, services, loaded.details.uid);
  if (!pending) throw new RequestError('session_expired', 400, 'This code page expired. Go back to the application and sign in again.');
  return { ...loaded, pending };
}

export default function checkEmailRoutes(router: Router, services: Services) {
  router.post('/:uid/code', async (ctx) => {
    const { details, client, pending } = await loadPending(ctx, services);
    const { code } = ctx.request.body as Record<string, unknown>;
    try {
      if (pending.step === 'email_code') {
        const account = await services.emailCodeSignIn.signInWithCode({
          email: pending.email, code, ip: ctx.ip, source: signupSourceOf(details.params),
        });
        await finishPendingSignIn(ctx, services, pending, account.id);
        return;
      }
      const accountId = await services.emailVerification.verifyWithCode({ email: pending.email, code, ip: ctx.ip });
      if (accountId === pending.accountId) {
        await finishPendingSignIn(ctx, services, pending, accountId);
        return;
      }
      // Verified, but this browser never proved it holds that account's password.
      clearPendingSignIn(ctx);
      await renderLoginPage(ctx, services, { uid: details.uid, client, email: pending.email, notice: VERIFIED_NOTICE });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      if (error.details.retryAfter) ctx.set('Retry-After', String(error.details.retryAfter));
      await renderCheckEmailPage(ctx, services, { uid: details.uid, client, pending, error: error.message, status: error.status });
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
      await renderCheckEmailPage(ctx, services, { uid: details.uid, client, pending, notice: 'We sent a new code. Codes sent before it no longer work.' });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      if (error.details.retryAfter) ctx.set('Retry-After', String(error.details.retryAfter));
      await renderCheckEmailPage(ctx, services, { uid: details.uid, client, pending, error: error.message, status: error.status });
    }
  });

  router.post('/:uid/restart', async (ctx) => {
    const { details } = await loadInteraction(ctx, services, 'login');
    clearPendingSignIn(ctx);
    ctx.redirect(`/interaction/${details.uid}`);
    ctx.status = 303;
  });
}
