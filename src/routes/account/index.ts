// The account area at /account: a person's own pages, signed in through Latchkey's sign-in
// like any application. Every page is no-store (security headers) and every POST CSRF-protected.
import type Router from '@koa/router';
import { createRouter } from '../router.ts';
import { csrfProtection } from '../../middleware/koa-csrf.ts';
import { formBody } from '../../middleware/koa-form-body.ts';
import type { Services } from '../../services.ts';
import { accountSignInUrl, finishAccountSignIn } from './account-session.ts';
import securityRoutes from './security.ts';

export default function accountRoutes(router: Router, services: Services) {
  const account = createRouter('/account');
  account.use(formBody(), csrfProtection());

  account.get('/', (ctx) => {
    ctx.redirect('/account/security');
  });

  // Back from /auth: the provider's session now says who signed in; go on to the page asked for.
  account.get('/callback', (ctx) => {
    ctx.redirect(finishAccountSignIn(ctx));
    ctx.status = 303;
  });

  // A change was refused for want of a recent sign-in: say so, and offer to sign in again.
  account.get('/sign-in-again', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await services.renderPage('account/sign-in-again', {
      title: 'account.signInAgainTitle', signInUrl: accountSignInUrl(ctx, services, '/account/security', { again: true }),
    });
  });

  securityRoutes(account, services);
  router.use(account.routes());
}
