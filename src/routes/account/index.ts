// The account area at /account: a person's own pages, signed in through Latchkey's sign-in
// like any application. Every page is no-store (security headers) and every POST CSRF-protected;
// every change needs a sign-in from the last 5 minutes.
import type Router from '@koa/router';
import { createRouter } from '../router.ts';
import { csrfProtection } from '../../middleware/koa-csrf.ts';
import { formBody } from '../../middleware/koa-form-body.ts';
import type { Services } from '../../services.ts';
import { accountPath, accountSignInUrl, finishAccountSignIn, requireAccountSession } from './account-session.ts';
import { renderAccountPage } from './account-page.ts';
import activityRoutes from './activity.ts';
import appsRoutes from './apps.ts';
import devicesRoutes from './devices.ts';
import emailRoutes from './email.ts';
import passwordRoutes from './password.ts';
import profileRoutes from './profile.ts';
import securityRoutes from './security.ts';
import yourDataRoutes from './your-data.ts';

export default function accountRoutes(router: Router, services: Services) {
  const account = createRouter('/account');
  account.use(formBody(), csrfProtection());

  account.get('/', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (!session) return;
    const { account: person } = session;
    const [hasSecondFactor, sessions, apps] = await Promise.all([
      services.secondFactors.hasAny(person.id),
      services.queries.oidcPayloads.listLivePayloadsOfAccount('Session', person.id),
      services.consents.list(person.id),
    ]);
    await renderAccountPage(ctx, services, session, 'account/home', {
      title: 'account.home.title', section: 'home',
      name: person.name ?? ([person.given_name, person.family_name].filter(Boolean).join(' ') || null),
      picture: person.picture, email: person.email, emailVerified: person.email_verified, hasPassword: person.password_hash !== null,
      hasSecondFactor, devices: sessions.length, apps: apps.length,
    });
  });

  // Back from /auth: the provider's session now says who signed in; go on to the page asked for.
  account.get('/callback', (ctx) => {
    ctx.redirect(finishAccountSignIn(ctx));
    ctx.status = 303;
  });

  // A change was refused for want of a recent sign-in: say so, and offer to sign in again (then back to the page).
  account.get('/sign-in-again', async (ctx) => {
    const returnTo = accountPath(ctx.query.return);
    ctx.type = 'html';
    ctx.body = await services.renderPage('account/sign-in-again', {
      title: 'account.signInAgainTitle', returnTo, signInUrl: accountSignInUrl(ctx, services, returnTo, { again: true }),
    });
  });

  profileRoutes(account, services);
  emailRoutes(account, services);
  passwordRoutes(account, services);
  securityRoutes(account, services);
  devicesRoutes(account, services);
  appsRoutes(account, services);
  activityRoutes(account, services);
  yourDataRoutes(account, services);
  router.use(account.routes());
}
