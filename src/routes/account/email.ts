// The account area's email page: asking for a new address (needs a recent sign-in), entering the
// code mailed to it, and the old address's "this wasn't me" link, which needs no sign-in (whoever
// reads the old mailbox uses it; GET only shows what it will do, since mail scanners open links).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { maybeNormaliseEmail } from '../../libraries/email-address.ts';
import { translator } from '../../libraries/i18n/catalogue.ts';
import { oneTimeLifetimes } from '../../libraries/one-time-secrets.ts';
import { userMistake } from '../../middleware/koa-error-handler.ts';
import { errorText } from '../../pages/error-text.ts';
import type { FormProblem } from '../../pages/form-problem.ts';
import { currentLanguage } from '../../pages/page-language.ts';
import type { Services } from '../../services.ts';
import { backTo, formText, pageChange } from '../page-forms.ts';
import { renderChoosePasswordPage } from '../password-reset.ts';
import { requireAccountSession, requireRecentSignIn, type AccountSession } from './account-session.ts';
import { renderAccountPage } from './account-page.ts';

const NOTICES = { changed: 'account.email.changed' };

export default function emailRoutes(router: Router, services: Services) {
  const renderEmailPage = (ctx: Context, session: AccountSession, typed = '', error: FormProblem | '' = '', status = 200) =>
    renderAccountPage(ctx, services, session, 'account/email', {
      title: 'account.email.title', section: 'email', notices: NOTICES, error, typed,
      email: session.account.email, verified: session.account.email_verified,
    }, status);

  /** The page that asks for the code: the same whether or not the new address has an account. */
  const renderCodePage = async (ctx: Context, session: AccountSession, newEmail: string, extra: { notice?: string; error?: FormProblem; status?: number } = {}) =>
    renderAccountPage(ctx, services, session, 'account/email-code', {
      title: 'account.email.codeTitle', section: 'email', error: extra.error ?? '', notice: extra.notice ?? '', newEmail,
      minutes: oneTimeLifetimes.verifyEmailCode / 60, resendIn: await services.ownEmailChange.secondsUntilResend(newEmail),
    }, extra.status);

  router.get('/email', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (session) await renderEmailPage(ctx, session);
  });

  router.post('/email', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/email');
    if (!session) return;
    const typed = formText(ctx, 'email');
    let newEmail = '';
    const asked = await pageChange(ctx, { email_same: 'email' }, async () => {
      ({ email: newEmail } = await services.ownEmailChange.request(session.account, { email: typed, ip: ctx.ip }));
    }, (problem, status) => renderEmailPage(ctx, session, typed, problem, status));
    if (asked) await renderCodePage(ctx, session, newEmail);
  });

  router.post('/email/resend', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/email');
    if (!session) return;
    const typed = formText(ctx, 'email');
    try {
      const { email } = await services.ownEmailChange.request(session.account, { email: typed, ip: ctx.ip, again: true });
      await renderCodePage(ctx, session, email, { notice: 'account.email.sentAgain' });
    } catch (caught) {
      const error = userMistake(ctx, caught);
      if (error.code === 'email_invalid' || error.code === 'email_required' || error.code === 'email_same') await renderEmailPage(ctx, session, typed, { text: errorText(error), field: 'email' }, error.status);
      else await renderCodePage(ctx, session, maybeNormaliseEmail(typed)!, { error: { text: errorText(error), field: undefined }, status: error.status });
    }
  });

  // The change itself was asked for with a recent sign-in; the code (10 minutes) proves the rest.
  router.post('/email/confirm', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (!session) return;
    const newEmail = formText(ctx, 'email');
    const changed = await pageChange(ctx, ['code'], () => services.ownEmailChange.confirm(session.account, { email: newEmail, code: formText(ctx, 'code'), ip: ctx.ip, signedInAt: session.signedInAt }),
      (problem, status) => renderCodePage(ctx, session, newEmail, { error: problem, status }));
    if (changed) backTo(ctx, '/account/email', 'changed');
  });

  const renderHosted = async (ctx: Context, view: string, locals: { title: string } & Record<string, unknown>, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = await services.renderPage(view, { csrfToken: ctx.state.csrfToken, error: '', notice: '', ...locals });
  };
  const linkFailed = (ctx: Context, caught: unknown) => {
    const error = userMistake(ctx, caught);
    return renderHosted(ctx, 'password/link-failed', { title: 'password.linkExpiredTitle', error: errorText(error) }, error.status);
  };

  router.get('/email/undo', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    try {
      await renderHosted(ctx, 'account/email-undo', { title: 'account.email.undoTitle', token, ...await services.ownEmailChange.describeUndo(token) });
    } catch (caught) {
      await linkFailed(ctx, caught);
    }
  });

  router.post('/email/undo', async (ctx) => {
    const form = ctx.request.body as Record<string, unknown>;
    let undone: Awaited<ReturnType<Services['ownEmailChange']['undo']>>;
    try {
      undone = await services.ownEmailChange.undo(form.token);
    } catch (caught) {
      await linkFailed(ctx, caught);
      return;
    }
    const t = translator(currentLanguage());
    const notice = [undone.restored ? t('account.email.undoneRestored', { email: undone.email }) : t('account.email.undoneTaken', { email: undone.email }), t('account.email.undoneSignedOut')].join(' ');
    if (undone.passwordToken) await renderChoosePasswordPage(ctx, services, { token: undone.passwordToken, notice });
    else await renderHosted(ctx, 'account/email-undone', { title: 'account.email.undoTitle', notice });
  });
}
