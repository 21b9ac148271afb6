// The account's Activity page: the person's own audit events in words, newest first, 25 a page
// (?before=<event id> for older ones), with when, from which IP and browser, and who acted when
// it was not them.
import type Router from '@koa/router';
import type { Services } from '../../services.ts';
import { renderAccountPage } from './account-page.ts';
import { requireAccountSession } from './account-session.ts';

/** An event id as the page's own links carry it; anything else shows the newest page. */
const CURSOR = /^\d{1,19}$/;

export default function activityRoutes(router: Router, services: Services) {
  router.get('/activity', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (!session) return;
    const before = typeof ctx.query.before === 'string' && CURSOR.test(ctx.query.before) ? ctx.query.before : undefined;
    const { entries, next } = await services.ownActivity.page(session.account.id, before);
    await renderAccountPage(ctx, services, session, 'account/activity', {
      title: 'account.activity.title', section: 'activity', entries, next, older: before !== undefined,
    });
  });
}
