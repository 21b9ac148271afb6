// The second-factor step of a sign-in. Every first factor (password, mailed code, verified
// registration) ends in completeFirstFactor: an account with factors must pass one (app code,
// key or passkey, recovery code); one without, asked for MFA, sets one up; otherwise done.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import { assuranceOf, requestsMultiFactor } from '../../libraries/mfa/assurance.ts';
import type { Services } from '../../services.ts';
import { finishStep, loadInteraction, type ClientDisplay } from './load-interaction.ts';
import { clearPendingSignIn, readPendingSignIn, writePendingSignIn, type PendingSignIn } from './pending-sign-in.ts';

export interface FirstFactor {
  uid: string;
  accountId: string;
  amr: string[];
  remember: boolean;
  params: Record<string, unknown>;
}

/** Ends the login step with what the person proved. */
export async function finishSignIn(ctx: Context, services: Services, pending: Pick<PendingSignIn, 'accountId' | 'amr' | 'remember'>) {
  clearPendingSignIn(ctx);
  const { amr, acr } = assuranceOf(pending.amr);
  await finishStep(ctx, services, { login: { accountId: pending.accountId!, remember: pending.remember, amr, acr } });
}

/** After a first factor: on to a second factor, to setting one up, or straight back to the application. */
export async function completeFirstFactor(ctx: Context, services: Services, first: FirstFactor) {
  const account = await services.accounts.maybeFindActiveAccount(first.accountId);
  if (!account) throw new RequestError('account_disabled', 403, 'This account is disabled. Contact your administrator.');
  const pending: PendingSignIn = { uid: first.uid, step: 'second_factor', email: account.email, accountId: account.id, remember: first.remember, amr: first.amr };
  if (assuranceOf(first.amr).amr.includes('mfa')) return finishSignIn(ctx, services, pending); // a passkey with user verification
  if (await services.secondFactors.hasAny(account.id)) {
    writePendingSignIn(ctx, services, pending);
  } else if (requestsMultiFactor(first.params.acr_values) || services.secondFactors.mustHaveSecondFactor(account)) {
    writePendingSignIn(ctx, services, { ...pending, step: 'enrol_factor' });
  } else {
    return finishSignIn(ctx, services, pending);
  }
  ctx.redirect(`/interaction/${first.uid}`);
  ctx.status = 303;
}

export async function renderSecondFactorPage(ctx: Context, services: Services, view: {
  uid: string; client: ClientDisplay; pending: PendingSignIn; error?: string; status?: number;
}) {
  const factors = await services.secondFactors.overview(view.pending.accountId!);
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/second-factor', {
    title: 'Two-step verification', csrfToken: ctx.state.csrfToken, error: '', factors, ...view,
  });
}

async function loadSecondFactorStep(ctx: Context, services: Services) {
  const loaded = await loadInteraction(ctx, services, 'login');
  const pending = readPendingSignIn(ctx, services, loaded.details.uid);
  if (pending?.step !== 'second_factor' || !pending.accountId) {
    throw new RequestError('session_expired', 400, 'This sign-in step expired. Go back to the application and sign in again.');
  }
  return { ...loaded, pending };
}

export default function secondFactorRoutes(router: Router, services: Services) {
  /** Checks one kind of factor; a right one finishes the sign-in, a wrong one shows the page again. */
  const verifying = (check: (ctx: Context, pending: PendingSignIn) => Promise<string>) => async (ctx: Context) => {
    const { details, client, pending } = await loadSecondFactorStep(ctx, services);
    try {
      const amr = await check(ctx, pending);
      await finishSignIn(ctx, services, { ...pending, amr: [...pending.amr, amr] });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      if (error.details.retryAfter) ctx.set('Retry-After', String(error.details.retryAfter));
      await renderSecondFactorPage(ctx, services, { uid: details.uid, client, pending, error: error.message, status: error.status });
    }
  };
  const form = (ctx: Context) => ctx.request.body as Record<string, unknown>;

  router.post('/:uid/mfa/totp', verifying((ctx, pending) =>
    services.secondFactors.verifyTotp({ accountId: pending.accountId!, code: form(ctx).code, ip: ctx.ip })));

  router.post('/:uid/mfa/recovery', verifying(async (ctx, pending) => {
    const account = await services.accounts.maybeFindActiveAccount(pending.accountId!);
    if (!account) throw new RequestError('account_disabled', 403, 'This account is disabled. Contact your administrator.');
    return services.secondFactors.verifyRecoveryCode({ account, code: form(ctx).code, ip: ctx.ip });
  }));

  router.post('/:uid/mfa/webauthn/options', async (ctx) => {
    const { pending } = await loadSecondFactorStep(ctx, services);
    ctx.body = await services.webauthn.authenticationOptions(pending.accountId!);
  });

  router.post('/:uid/mfa/webauthn', verifying((ctx, pending) =>
    services.secondFactors.verifyWebauthn({ accountId: pending.accountId!, challengeId: form(ctx).challengeId, response: parseJson(form(ctx).response) })));
}

/** A WebAuthn response as the browser script posts it; anything unreadable fails verification. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== 'string' || value.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
