// The account's Apps page: each application the person allowed (name, logo, what it may see,
// first allowed, last used) and "Remove access", which ends what it holds and signs it out.
import type Router from '@koa/router';
import { scopeWords } from '../../libraries/own-account/applications.ts';
import type { Services } from '../../services.ts';
import { backTo } from '../page-forms.ts';
import { renderAccountPage } from './account-page.ts';
import { requireAccountSession, requireRecentSignIn } from './account-session.ts';

export default function appsRoutes(router: Router, services: Services) {
  router.get('/apps', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (!session) return;
    const apps = await services.ownApplications.list(session.account.id);
    await renderAccountPage(ctx, services, session, 'account/apps', {
      title: 'account.apps.title', section: 'apps', notices: { removed: 'account.apps.removed' },
      apps: apps.map((app) => ({ ...app, scopes: scopeWords(app.scopes) })),
    });
  });

  // A client the person never allowed (or another person's) is not found: nothing changes.
  router.post('/apps/:clientId/remove', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/apps');
    if (!session) return;
    await services.ownApplications.remove(session.account, ctx.params.clientId!);
    backTo(ctx, '/account/apps', 'removed');
  });
}
