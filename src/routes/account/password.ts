// The account area's password page: change the password (with the current one), or set a first
// one on an account that signed in only with mailed codes or passkeys; "sign out everywhere else"
// is ticked unless the person unticks it. Changes need a recent sign-in.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { FormProblem } from '../../pages/form-problem.ts';
import type { Services } from '../../services.ts';
import { backTo, formList, pageChange } from '../page-forms.ts';
import { requireAccountSession, requireRecentSignIn, type AccountSession } from './account-session.ts';
import { renderAccountPage } from './account-page.ts';

const NOTICES: Record<string, string> = {
  changed: 'account.password.notices.changed',
  'changed-others-out': 'account.password.notices.changedOthersOut',
  set: 'account.password.notices.set',
  'set-others-out': 'account.password.notices.setOthersOut',
};

/** Which input a refusal is about: the current password's own mistakes, else the new one's (the policy's codes). */
const FIELD_OF: Record<string, string> = {
  current_password_required: 'current-password',
  password_wrong: 'current-password',
  password_required: 'new-password',
  password_too_short: 'new-password',
  password_too_long: 'new-password',
  password_common: 'new-password',
  password_personal: 'new-password',
};

/** A password field exactly as typed: never trimmed (a space may be part of it). */
const rawField = (ctx: Context, name: string) => (ctx.request.body as Record<string, unknown> | undefined)?.[name];

export default function passwordRoutes(router: Router, services: Services) {
  const render = (ctx: Context, session: AccountSession, { error = '', signOutOthers = true }: { error?: FormProblem | ''; signOutOthers?: boolean } = {}, status = 200) =>
    renderAccountPage(ctx, services, session, 'account/password', {
      title: 'account.password.title', section: 'password', notices: NOTICES, error,
      hasPassword: session.account.password_hash !== null, email: session.account.email,
      minLength: services.passwordPolicy.minLength, signOutOthers,
    }, status);

  router.get('/password', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (session) await render(ctx, session);
  });

  router.post('/password', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/password');
    if (!session) return;
    const signOutOthers = formList(ctx, 'sign-out-others').includes('yes');
    const changed = await pageChange(ctx, FIELD_OF, () => services.ownPasswordChange.change(session.account, {
      current: rawField(ctx, 'current-password'), password: rawField(ctx, 'new-password'), signOutOthers,
      thisSession: session.sessionId, from: { ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined },
    }), (error, status) => render(ctx, session, { error, signOutOthers }, status));
    const first = session.account.password_hash === null;
    if (changed) backTo(ctx, '/account/password', `${first ? 'set' : 'changed'}${signOutOthers ? '-others-out' : ''}`);
  });
}
