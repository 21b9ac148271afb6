// The sign-in step with email and password: shows the form, checks the credentials through
// the password sign-in library and records the login in the interaction.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import { parseKnownDevices, rememberKnownDevice } from '../../libraries/sign-in/known-devices.ts';
import type { Services } from '../../services.ts';
import { loadInteraction, type ClientDisplay } from './load-interaction.ts';
import { writePendingSignIn } from './pending-sign-in.ts';
import { completeFirstFactor } from './second-factor.ts';

const KNOWN_DEVICE_COOKIE = 'lk_known';
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export async function renderLoginPage(ctx: Context, services: Services, view: {
  uid: string; client: ClientDisplay; email: string; remember?: boolean; notice?: string; error?: string; status?: number;
}) {
  ctx.status = view.status ?? 200;
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/login', {
    title: 'Sign in', csrfToken: ctx.state.csrfToken, remember: false, notice: '', error: '',
    registrationOpen: services.registration.open, ...view,
  });
}

export default function passwordLoginRoutes(router: Router, services: Services) {
  router.post('/:uid/login', async (ctx) => {
    const { details, client } = await loadInteraction(ctx, services, 'login');
    const form = ctx.request.body as Record<string, unknown>;
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const remember = form.remember === 'yes';
    const knownDevices = parseKnownDevices(ctx.cookies.get(KNOWN_DEVICE_COOKIE));
    try {
      const { account, deviceTag } = await services.passwordSignIn({ email, password: form.password, ip: ctx.ip, knownDevices });
      ctx.cookies.set(KNOWN_DEVICE_COOKIE, rememberKnownDevice(knownDevices, deviceTag), {
        httpOnly: true, sameSite: 'lax', secure: ctx.secure, maxAge: YEAR_MS, path: '/',
      });
      if (services.config.requireVerifiedEmail && !account.email_verified) {
        // The password is right, but the address is unproven: verify it first, then finish.
        await services.emailVerification.sendVerificationMail(account, { ip: ctx.ip, explicit: false });
        writePendingSignIn(ctx, services, { uid: details.uid, step: 'verify_email', email: account.email, accountId: account.id, remember, amr: ['pwd'] });
        ctx.redirect(`/interaction/${details.uid}`);
        ctx.status = 303;
        return;
      }
      await completeFirstFactor(ctx, services, { uid: details.uid, accountId: account.id, amr: ['pwd'], remember, params: details.params });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      if (error.details.retryAfter) ctx.set('Retry-After', String(error.details.retryAfter));
      await renderLoginPage(ctx, services, { uid: details.uid, client, email, remember, error: error.message, status: error.status });
    }
  });
}
