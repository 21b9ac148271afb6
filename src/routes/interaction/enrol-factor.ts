// Setting up a second factor during sign-in, when the application asked for MFA (acr_values)
// or MFA_REQUIRED demands one and the account has none: an authenticator app or a key or
// passkey, then the recovery codes, shown once, then on to the application.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import { requestsMultiFactor } from '../../libraries/mfa/assurance.ts';
import { webauthnAmr } from '../../libraries/mfa/webauthn.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { Services } from '../../services.ts';
import { webauthnResponse } from '../webauthn-form.ts';
import type { ClientDisplay } from './load-interaction.ts';
import { loadPendingStep, pendingAccount, writePendingSignIn, type PendingSignIn } from './pending-sign-in.ts';
import { finishSignIn } from './second-factor.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';

/**
 * A factor added meanwhile (another tab, the owner reacting to a mail) must be passed, not
 * joined by one more: the step turns into the second-factor step. True when it did.
 */
async function gainedFactorSince(ctx: Context, services: Services, pending: PendingSignIn): Promise<boolean> {
  if (!(await services.secondFactors.hasAny(pending.accountId!))) return false;
  writePendingSignIn(ctx, services, { ...pending, step: 'second_factor', totpFactorId: undefined });
  ctx.redirect(`/interaction/${pending.uid}`);
  ctx.status = 303;
  return true;
}

export async function renderEnrolPage(ctx: Context, services: Services, view: {
  uid: string; client: ClientDisplay; pending: PendingSignIn; params: Record<string, unknown>; error?: string | FormProblem; status?: number;
}) {
  const account = await pendingAccount(services, view.pending);
  if (!account) throw new RequestError('session_expired', 400, 'This sign-in step expired. Go back to the application and sign in again.');
  if (await gainedFactorSince(ctx, services, view.pending)) return;
  let enrolment = view.pending.totpFactorId ? await services.secondFactors.pendingTotpEnrolment(account, view.pending.totpFactorId) : undefined;
  if (!enrolment) {
    enrolment = await services.secondFactors.beginTotpEnrolment(account);
    writePendingSignIn(ctx, services, { ...view.pending, totpFactorId: enrolment.factorId });
  }
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/enrol-factor', {
    title: 'enrol.title', csrfToken: ctx.state.csrfToken, error: '', enrolment,
    askedByApplication: requestsMultiFactor(view.params.acr_values), ...view,
  });
}

/** The enrol step, or undefined when the account gained a factor since (the browser is sent to pass it). */
async function loadEnrolStep(ctx: Context, services: Services) {
  const loaded = await loadPendingStep(ctx, services, ['enrol_factor']);
  if (await gainedFactorSince(ctx, services, loaded.pending)) return undefined;
  return loaded as typeof loaded & { account: AccountRow };
}

export default function enrolFactorRoutes(router: Router, services: Services) {
  /** The factor is set up: show its recovery codes once, then a button that finishes the sign-in. */
  async function enrolled(ctx: Context, uid: string, client: ClientDisplay, pending: PendingSignIn, amr: string, recoveryCodes: string[] | null) {
    writePendingSignIn(ctx, services, { ...pending, step: 'enrolled', amr: [...pending.amr, amr], totpFactorId: undefined });
    ctx.type = 'html';
    ctx.body = await services.renderPage('interaction/recovery-codes', {
      title: 'recoveryCodes.title', languageSwitcher: false, csrfToken: ctx.state.csrfToken, uid, client, recoveryCodes: recoveryCodes ?? [], accountEmail: pending.email,
    });
  }

  router.post('/:uid/mfa/enrol/totp', async (ctx) => {
    const step = await loadEnrolStep(ctx, services);
    if (!step) return;
    const { details, client, pending, account } = step;
    const { code } = ctx.request.body as Record<string, unknown>;
    try {
      if (!pending.totpFactorId) throw new RequestError('enrolment_expired', 400, 'This set-up expired. Start again.');
      const codes = await services.secondFactors.confirmTotp(account, pending.totpFactorId, code);
      await enrolled(ctx, details.uid, client, pending, 'otp', codes);
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderEnrolPage(ctx, services, { uid: details.uid, client, pending, params: details.params, error: formProblem(error, ['totp']), status: error.status });
    }
  });

  router.post('/:uid/mfa/enrol/webauthn/options', async (ctx) => {
    const step = await loadEnrolStep(ctx, services);
    if (!step) throw new RequestError('factor_exists', 409, 'This account already has a second factor. Reload the page.');
    ctx.body = await services.webauthn.registrationOptions(step.account, ctx.ip);
  });

  router.post('/:uid/mfa/enrol/webauthn', async (ctx) => {
    const step = await loadEnrolStep(ctx, services);
    if (!step) return;
    const { details, client, pending, account } = step;
    const form = ctx.request.body as Record<string, unknown>;
    try {
      const { credential, recoveryCodes } = await services.secondFactors.addPasskey(account, {
        challengeId: form.challengeId, response: webauthnResponse(form.response), name: form.name,
      });
      await enrolled(ctx, details.uid, client, pending, webauthnAmr(credential), recoveryCodes);
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderEnrolPage(ctx, services, { uid: details.uid, client, pending, params: details.params, error: formProblem(error, ['passkey-name'], { name_invalid: 'passkey-name' }), status: error.status });
    }
  });

  router.post('/:uid/mfa/continue', async (ctx) => {
    const { pending } = await loadPendingStep(ctx, services, ['enrolled']);
    await finishSignIn(ctx, services, pending);
  });
}
