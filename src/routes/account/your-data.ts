// The account's Your data page: download everything Latchkey holds about the person as one JSON
// file, or delete the account (after typing its address, with a sign-in from the last 5 minutes;
// accountAdmin.delete is the one rule every door follows). Both are audited.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import type { FormProblem } from '../../pages/form-problem.ts';
import type { Services } from '../../services.ts';
import { formText, pageChange } from '../page-forms.ts';
import { renderAccountPage } from './account-page.ts';
import { requireAccountSession, requireRecentSignIn, type AccountSession } from './account-session.ts';

const DATA_PAGE = '/account/data';

export default function yourDataRoutes(router: Router, services: Services) {
  const renderDataPage = (ctx: Context, session: AccountSession, error: FormProblem | '' = '', status = 200) =>
    renderAccountPage(ctx, services, session, 'account/data', { title: 'account.data.title', section: 'data', error }, status);

  router.get('/data', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (session) await renderDataPage(ctx, session);
  });

  // A download that is never stored by a cache, saved as a file and audited (account.exported).
  // A POST with the CSRF token and a fresh sign-in, like a change: it is everything about the
  // person leaving at once, and no other site may set it off.
  router.post('/data/export', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, DATA_PAGE);
    if (!session) return;
    const document = await services.dataExport.export(session.account.id, { by: 'self' });
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="account-data-${document.generated_at.slice(0, 10)}.json"`);
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = `${JSON.stringify(document, null, 2)}\n`;
  });

  router.post('/data/delete', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, DATA_PAGE);
    if (!session) return;
    const { account } = session;
    const deleted = await pageChange(ctx, { confirm_mismatch: 'confirm' }, async () => {
      if (formText(ctx, 'confirm').toLowerCase() !== account.email.toLowerCase()) {
        throw new RequestError('confirm_mismatch', 400, 'Type the address of your account to delete it.', { messageKey: 'account.data.confirmMismatch' });
      }
      try {
        await services.accountAdmin.delete(account.id, { by: 'self' });
      } catch (caught) {
        if (caught instanceof RequestError && caught.code === 'last_admin') {
          throw new RequestError('last_admin', 409, caught.message, { messageKey: 'account.data.lastAdmin' });
        }
        throw caught;
      }
    }, (problem, status) => renderDataPage(ctx, session, problem, status));
    if (!deleted) return;
    // Every session went with the account, this browser's too: the page is shown outside the area.
    ctx.type = 'html';
    ctx.body = await services.renderPage('account/deleted', { title: 'account.data.deletedTitle', languageSwitcher: false });
  });
}
