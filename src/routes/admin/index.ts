// The admin console at /admin: pages for people, applications, roles, the audit log and keys,
// on the same libraries as the admin API, SCIM and the CLI. Signed in through Latchkey's own
// sign-in as a built-in client; admins with a second factor only (console-session.ts). Every
// page is no-store (security headers) and every POST CSRF-protected.
import type Router from '@koa/router';
import { createRouter } from '../router.ts';
import { csrfProtection } from '../../middleware/koa-csrf.ts';
import { formBody } from '../../middleware/koa-form-body.ts';
import type { Services } from '../../services.ts';
import applicationRoutes from './applications.ts';
import auditRoutes from './audit-log.ts';
import { consoleArea, consoleGate } from './console-session.ts';
import keyRoutes from './keys-and-tokens.ts';
import overviewRoutes from './overview.ts';
import peopleRoutes from './people.ts';
import roleRoutes from './roles-and-resources.ts';

export default function adminConsoleRoutes(router: Router, services: Services) {
  const admin = createRouter('/admin');
  admin.use(formBody(), csrfProtection(), consoleGate(services));

  // Back from /auth: the provider's session now says who signed in; go on to the page asked for.
  admin.get('/callback', (ctx) => {
    ctx.redirect(consoleArea.finish(ctx));
    ctx.status = 303;
  });

  // A change was refused for want of a recent sign-in: say so, and offer to sign in again.
  admin.get('/sign-in-again', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await services.renderPage('admin/sign-in-again', {
      title: 'console.signInAgain.title', signInUrl: consoleArea.signInUrl(ctx, services, consoleArea.areaPath(ctx.query.return), { again: true }),
    });
  });

  overviewRoutes(admin, services);
  peopleRoutes(admin, services);
  applicationRoutes(admin, services);
  roleRoutes(admin, services);
  auditRoutes(admin, services);
  keyRoutes(admin, services);
  router.use(admin.routes());
}
