// The second-factor step of a sign-in. Every first factor (password, mailed code, verified
// registration) ends in completeFirstFactor: an account with factors must pass one (app code,
// key or passkey, recovery code); one without, asked for MFA, sets one up; otherwise done.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { accountDisabled } from '../../libraries/accounts.ts';
import { RequestError } from '../../libraries/errors.ts';
import { ACR, assuranceOf, requestsMultiFactor } from '../../libraries/mfa/assurance.ts';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import type { Services } from '../../services.ts';
import { webauthnResponse } from '../webauthn-form.ts';
import { rememberDevice } from './known-device-cookie.ts';
import { finishStep, type ClientDisplay } from './load-interaction.ts';
import { clearPendingSignIn, loadPendingStep, passwordStampOf, pendingAccount, writePendingSignIn, type PendingSignIn } from './pending-sign-in.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';
import { currentLanguage } from '../../pages/page-language.ts';

export interface FirstFactor {
  uid: string;
  accountId: string;
  amr: string[];
  remember: boolean;
  params: Record<string, unknown>;
  deviceTag?: string;
  /** The account as the first factor just read it, when it did (saves reading it, and its factors, again). */
  account?: AccountRow & { has_second_factor?: boolean };
}

/**
 * Ends the login step with what the person proved; only now does the sign-in count (last sign-in,
 * known device). `current`: the account as read within this very request, if it was.
 */
export async function finishSignIn(ctx: Context, services: Services, pending: PendingSignIn, current?: AccountRow) {
  const account = current ?? await pendingAccount(services, pending);
  if (!account) throw new RequestError('session_expired', 400, 'This sign-in step expired. Go back to the application and sign in again.');
  clearPendingSignIn(ctx, pending.uid);
  const { amr, acr } = assuranceOf(pending.amr);
  await services.accounts.recordSignIn({ accountId: account.id, language: currentLanguage(), clientId: ctx.state.clientId as string | undefined, amr, acr });
  if (pending.deviceTag) rememberDevice(ctx, pending.deviceTag);
  await finishStep(ctx, services, { login: { accountId: account.id, remember: pending.remember, amr, acr } });
}

/**
 * After a first factor: prove the address first if it must be, then on to a second factor,
 * to setting one up, or straight back to the application.
 */
export async function completeFirstFactor(ctx: Context, services: Services, first: FirstFactor) {
  const account = first.account?.id === first.accountId && !first.account.disabled ? first.account : await services.accounts.maybeFindActiveAccount(first.accountId);
  if (!account) throw accountDisabled();
  const pending: PendingSignIn = {
    uid: first.uid, step: 'second_factor', email: account.email, accountId: account.id, remember: first.remember, amr: first.amr,
    passwordStamp: passwordStampOf(account), deviceTag: first.deviceTag,
  };
  if (services.config.requireVerifiedEmail && !account.email_verified) {
    // Proved who they are, but not the address: verify it first, then come back here.
    await services.emailVerification.sendVerificationMail(account, { ip: ctx.ip, explicit: false });
    writePendingSignIn(ctx, services, { ...pending, step: 'verify_email' });
  } else if (assuranceOf(first.amr).acr === ACR.multiFactor) {
    return finishSignIn(ctx, services, pending, account); // a passkey that verified the person
  } else if ((account === first.account ? first.account.has_second_factor : undefined) ?? await services.secondFactors.hasAny(account.id)) {
    writePendingSignIn(ctx, services, pending);
  } else if (requestsMultiFactor(first.params.acr_values) || services.secondFactors.mustHaveSecondFactor(account)) {
    writePendingSignIn(ctx, services, { ...pending, step: 'enrol_factor' });
  } else {
    return finishSignIn(ctx, services, pending, account);
  }
  ctx.redirect(`/interaction/${first.uid}`);
  ctx.status = 303;
}

export async function renderSecondFactorPage(ctx: Context, services: Services, view: {
  uid: string; client: ClientDisplay; pending: PendingSignIn; error?: string | FormProblem; status?: number;
}) {
  const factors = await services.secondFactors.overview(view.pending.accountId!);
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/second-factor', {
    title: 'secondFactor.title', csrfToken: ctx.state.csrfToken, error: '', factors, ...view,
  });
}

export default function secondFactorRoutes(router: Router, services: Services) {
  /** Checks one kind of factor; a right one finishes the sign-in, a wrong one shows the page again, the refusal under `field`. */
  const verifying = (check: (ctx: Context, pending: PendingSignIn) => Promise<string>, field?: 'totp' | 'recovery') => async (ctx: Context) => {
    const { details, client, pending } = await loadPendingStep(ctx, services, ['second_factor']);
    try {
      const amr = [...pending.amr, await check(ctx, pending)];
      // A second proof of the same kind as the first is not a second factor.
      if (assuranceOf(amr).acr !== ACR.multiFactor) throw new RequestError('second_factor_same', 400, 'Use a different kind of factor from the one you signed in with.');
      await finishSignIn(ctx, services, { ...pending, amr });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      const wrongCode = field ? { second_factor_wrong: field, totp_wrong: field, totp_reused: field } : undefined;
      await renderSecondFactorPage(ctx, services, { uid: details.uid, client, pending, error: formProblem(error, field ? [field] : [], wrongCode), status: error.status });
    }
  };
  const form = (ctx: Context) => ctx.request.body as Record<string, unknown>;

  router.post('/:uid/mfa/totp', verifying((ctx, pending) =>
    services.secondFactors.verifyTotp({ accountId: pending.accountId!, code: form(ctx).code, ip: ctx.ip }), 'totp'));

  router.post('/:uid/mfa/recovery', verifying(async (ctx, pending) => {
    const account = await pendingAccount(services, pending);
    if (!account) throw accountDisabled();
    return services.secondFactors.verifyRecoveryCode({ account, code: form(ctx).code, ip: ctx.ip });
  }, 'recovery'));

  router.post('/:uid/mfa/webauthn/options', async (ctx) => {
    const { pending } = await loadPendingStep(ctx, services, ['second_factor']);
    ctx.body = await services.webauthn.authenticationOptions({ accountId: pending.accountId!, ip: ctx.ip });
  });

  router.post('/:uid/mfa/webauthn', verifying((ctx, pending) =>
    services.secondFactors.verifyWebauthn({ accountId: pending.accountId!, challengeId: form(ctx).challengeId, response: webauthnResponse(form(ctx).response) })));
}
