// The account security page: the person's second factors (authenticator app, security keys and
// passkeys, recovery codes), adding and removing them. Changes need a recent sign-in.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { TotpEnrolment } from '../../libraries/mfa/totp.ts';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import type { Services } from '../../services.ts';
import { webauthnResponse } from '../webauthn-form.ts';
import { requireAccountSession, requireRecentSignIn, type AccountSession } from './account-session.ts';
import { translator } from '../../libraries/i18n/catalogue.ts';
import { errorText } from '../../pages/error-text.ts';
import { currentLanguage } from '../../pages/page-language.ts';
import { formProblem, type FormProblem } from '../../pages/form-problem.ts';
import { renderAccountPage } from './account-page.ts';

/** What a change redirected back with (?done=…) says on the page: a catalogue key. */
const NOTICES: Record<string, string> = {
  'totp-added': 'account.notices.totpAdded',
  'totp-removed': 'account.notices.totpRemoved',
  'passkey-added': 'account.notices.passkeyAdded',
  'passkey-removed': 'account.notices.passkeyRemoved',
  'codes-saved': 'account.notices.codesSaved',
};

/** A base32 secret in groups of four, for reading it off the screen into an app. */
const groupSecret = (secret: string) => secret.match(/.{1,4}/g)!.join(' ');

const backToSecurity = (ctx: Context, done: keyof typeof NOTICES) => {
  ctx.redirect(`/account/security?done=${done}`);
  ctx.status = 303;
};

export default function securityRoutes(router: Router, services: Services) {
  const render = async (ctx: Context, view: string, locals: { title: string } & Record<string, unknown>, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = await services.renderPage(view, { csrfToken: ctx.state.csrfToken, error: '', notice: '', ...locals });
  };

  const renderSecurityPage = async (ctx: Context, session: AccountSession, extra: { notice?: string; error?: string; status?: number } = {}) => {
    const { account } = session;
    const factors = await services.secondFactors.overview(account.id);
    await renderAccountPage(ctx, services, session, 'account/security', {
      title: 'account.securityTitle',
      section: 'security',
      totpSince: factors.totp ? factors.totpSince : null,
      totp: factors.totp,
      passkeys: factors.passkeys.map((row) => ({
        id: row.id, name: row.name, added: row.created_at, lastUsed: row.last_used_at, synced: row.backed_up,
      })),
      hasFactors: factors.totp || factors.passkeys.length > 0,
      recoveryCodesLeft: factors.recoveryCodesLeft,
      notice: extra.notice ?? '',
      error: extra.error ?? '',
    }, extra.status);
  };

  const renderTotpPage = (ctx: Context, enrolment: TotpEnrolment, error: string | FormProblem = '', status = 200) =>
    render(ctx, 'account/totp', {
      title: 'account.totpTitle', factorId: enrolment.factorId, qrSvg: enrolment.qrSvg, secret: groupSecret(enrolment.secret), error,
    }, status);

  const renderRecoveryCodes = (ctx: Context, session: AccountSession, codes: string[], first: boolean) =>
    render(ctx, 'account/recovery-codes', { title: 'account.codesTitle', languageSwitcher: false, codes, first, accountEmail: session.account.email });

  router.get('/security', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (!session) return;
    await renderSecurityPage(ctx, session, { notice: NOTICES[String(ctx.query.done)] ?? '' });
  });

  router.post('/security/totp', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/security');
    if (!session) return;
    await renderTotpPage(ctx, await services.secondFactors.beginTotpEnrolment(session.account));
  });

  router.post('/security/totp/confirm', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/security');
    if (!session) return;
    const form = ctx.request.body as Record<string, unknown>;
    const factorId = typeof form.factorId === 'string' ? form.factorId : '';
    try {
      const codes = await services.secondFactors.confirmTotp(session.account, factorId, form.code);
      if (codes) await renderRecoveryCodes(ctx, session, codes, true);
      else backToSecurity(ctx, 'totp-added');
    } catch (caught) {
      const error = userMistake(ctx, caught);
      const pending = /^[0-9a-f-]{36}$/.test(factorId) ? await services.secondFactors.pendingTotpEnrolment(session.account, factorId) : undefined;
      if (pending) await renderTotpPage(ctx, pending, formProblem(error, ['code'], { totp_wrong: 'code', totp_reused: 'code' }), error.status);
      else await renderSecurityPage(ctx, session, { error: errorText(error), status: error.status });
    }
  });

  router.post('/security/totp/remove', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/security');
    if (!session) return;
    await services.secondFactors.removeTotp(session.account);
    backToSecurity(ctx, 'totp-removed');
  });

  // JSON for public/webauthn.js: the options of a registration ceremony (CSRF token in X-CSRF-Token).
  router.post('/security/passkeys/options', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/security');
    if (!session) return;
    ctx.body = await services.webauthn.registrationOptions(session.account, ctx.ip);
  });

  router.post('/security/passkeys', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/security');
    if (!session) return;
    const form = ctx.request.body as Record<string, unknown>;
    try {
      const { recoveryCodes } = await services.secondFactors.addPasskey(session.account, {
        challengeId: form.challengeId, response: webauthnResponse(form.response), name: form.name,
      });
      if (recoveryCodes) await renderRecoveryCodes(ctx, session, recoveryCodes, true);
      else backToSecurity(ctx, 'passkey-added');
    } catch (caught) {
      const error = userMistake(ctx, caught);
      await renderSecurityPage(ctx, session, { error: errorText(error), status: error.status });
    }
  });

  router.post('/security/passkeys/:id/remove', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/security');
    if (!session) return;
    await services.secondFactors.removePasskey(session.account, ctx.params.id!);
    backToSecurity(ctx, 'passkey-removed');
  });

  router.post('/security/recovery-codes', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/security');
    if (!session) return;
    if (!(await services.secondFactors.hasAny(session.account.id))) {
      await renderSecurityPage(ctx, session, { error: translator(currentLanguage())('account.codesNeedFactor'), status: 400 });
      return;
    }
    await renderRecoveryCodes(ctx, session, await services.secondFactors.regenerateRecoveryCodes(session.account), false);
  });
}
