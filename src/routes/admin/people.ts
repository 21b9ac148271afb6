// People: find and filter accounts, see everything about one, and act on it (profile, address,
// reset, second factors, sessions, roles, disable, delete), or make one and invite them. Each
// action is a library call the admin API and the CLI make too.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import { ADMIN_ROLE } from '../../libraries/roles.ts';
import { deviceName } from '../../libraries/device-names.ts';
import type { FormProblem } from '../../pages/form-problem.ts';
import type { Services } from '../../services.ts';
import { ACTOR_WORDS } from './audit-log.ts';
import { backTo, consoleChange, formText, renderConsolePage } from './console-page.ts';
import { consoleAdmin, recentSignIn } from './console-session.ts';
import { UUID } from '../../libraries/uuid.ts';

const NOTICES: Record<string, string> = {
  created: 'console.people.notices.created',
  invited: 'console.people.notices.invited',
  updated: 'console.people.notices.updated',
  verified: 'console.people.notices.verified',
  'reset-sent': 'console.people.notices.resetSent',
  'factors-removed': 'console.people.notices.factorsRemoved',
  'sessions-ended': 'console.people.notices.sessionsEnded',
  'role-granted': 'console.people.notices.roleGranted',
  'role-revoked': 'console.people.notices.roleRevoked',
  disabled: 'console.people.notices.disabled',
  enabled: 'console.people.notices.enabled',
  deleted: 'console.people.notices.deleted',
};

const PAGE_SIZE = 25;

/** The list's filters as the query string gives them; anything unknown is ignored. */
function listFilter(ctx: Context) {
  const text = (name: string, max: number) => (typeof ctx.query[name] === 'string' ? (ctx.query[name] as string).trim().slice(0, max) : '');
  const choice = <T extends string>(name: string, values: readonly T[]) => (values.includes(ctx.query[name] as T) ? ctx.query[name] as T : '');
  return {
    q: text('q', 200),
    role: text('role', 100),
    status: choice('status', ['active', 'disabled', 'unverified'] as const),
    factor: choice('factor', ['with', 'without'] as const),
    cursor: text('cursor', 200),
  };
}

export default function peopleRoutes(router: Router, services: Services) {
  const personPath = (id: string) => `/admin/people/${id}`;
  const idOf = (ctx: Context) => {
    if (!UUID.test(ctx.params.id ?? '')) throw new RequestError('account_not_found', 404, 'No such account.');
    return ctx.params.id!;
  };

  router.get('/people', async (ctx) => {
    const filter = listFilter(ctx);
    const [{ accounts, next }, roles] = await Promise.all([
      services.accountAdmin.search({
        query: filter.q || undefined, role: filter.role || undefined,
        disabled: filter.status === 'disabled' ? true : filter.status === 'active' ? false : undefined,
        verified: filter.status === 'unverified' ? false : undefined,
        hasSecondFactor: filter.factor ? filter.factor === 'with' : undefined,
        cursor: filter.cursor || undefined, limit: PAGE_SIZE,
      }).catch((error: unknown) => {
        if (error instanceof RequestError) return { accounts: [], next: undefined }; // a cursor from nowhere: an empty page
        throw error;
      }),
      services.roles.list(),
    ]);
    const { cursor: _cursor, ...kept } = filter;
    const nextUrl = next ? `/admin/people?${new URLSearchParams({ ...kept, cursor: next })}` : '';
    await renderConsolePage(ctx, services, 'admin/people', {
      title: 'console.people.title', section: 'people', notices: NOTICES, filter, accounts, roles, nextUrl, firstUrl: filter.cursor ? `/admin/people?${new URLSearchParams(kept)}` : '',
    });
  });

  const renderNew = (ctx: Context, values: Record<string, string> = {}, error: FormProblem | '' = '', status = 200) =>
    renderConsolePage(ctx, services, 'admin/person-new', { title: 'console.people.newTitle', section: 'people', values, error }, status);

  router.get('/people/new', (ctx) => renderNew(ctx, { invite: 'yes' }));

  router.post('/people', async (ctx) => {
    if (formText(ctx, 'admin') === 'yes' && !recentSignIn(ctx, '/admin/people/new')) return; // a new admin: as powerful as a new key
    const values = { email: formText(ctx, 'email'), name: formText(ctx, 'name'), invite: formText(ctx, 'invite'), verified: formText(ctx, 'verified'), admin: formText(ctx, 'admin') };
    let id = '';
    await consoleChange(ctx, ['email', 'name'], async () => {
      const account = await services.accountAdmin.create({
        email: values.email, name: values.name || undefined, emailVerified: values.verified === 'yes', invite: values.invite === 'yes', admin: values.admin === 'yes',
      });
      id = account.id;
    }, (error, status) => renderNew(ctx, values, error, status));
    if (id) backTo(ctx, personPath(id), values.invite === 'yes' ? 'invited' : 'created');
  });

  async function renderPerson(ctx: Context, id: string, error: FormProblem | '' = '', status = 200) {
    const [person, roles, events] = await Promise.all([
      services.accountAdmin.view(id),
      services.roles.list(),
      services.audit.list({ subjectId: id, limit: 20 }),
    ]);
    const signupClient = person.signup.client_id ? await services.clients.showClient(person.signup.client_id).catch(() => undefined) : undefined;
    await renderConsolePage(ctx, services, 'admin/person', {
      title: 'console.people.personTitle', section: 'people', notices: NOTICES, error, person, events: events.events, actorWords: ACTOR_WORDS,
      rolesToGrant: roles.filter((role) => !person.roles.includes(role.name)), signupClientName: signupClient?.client_name ?? null,
      isSelf: id === consoleAdmin(ctx).account.id, deviceName,
    }, status);
  }

  router.get('/people/:id', async (ctx) => renderPerson(ctx, idOf(ctx)));

  /**
   * A POST on a person: `work` runs (if the sign-in is recent enough when `recent`), then back to
   * their page with `done`; a refusal is shown on their page.
   */
  const action = (path: string, done: string, work: (ctx: Context, id: string) => Promise<unknown>,
    { recent = false as boolean | ((ctx: Context) => Promise<boolean>), fields = [] as string[] } = {}) =>
    router.post(`/people/:id/${path}`, async (ctx) => {
      const id = idOf(ctx);
      if ((typeof recent === 'function' ? await recent(ctx) : recent) && !recentSignIn(ctx, personPath(id))) return;
      const changed = await consoleChange(ctx, fields, () => work(ctx, id), (error, status) => renderPerson(ctx, id, error, status));
      if (changed) backTo(ctx, done === 'deleted' ? '/admin/people' : personPath(id), done);
    });

  /** What an admin may not do to their own account here: lock themselves out. */
  const notToSelf = (ctx: Context, id: string) => {
    if (id === consoleAdmin(ctx).account.id) throw new RequestError('console_self', 409, 'You cannot do this to your own account here: ask another admin.');
  };

  action('profile', 'updated', (ctx, id) => services.accountAdmin.updateProfile(id, {
    name: formText(ctx, 'name') || null, givenName: formText(ctx, 'given_name') || null, familyName: formText(ctx, 'family_name') || null,
  }), { fields: ['name', 'given_name', 'family_name'] });

  // A new address (with a reset after it) hands the account to whoever holds that mailbox.
  action('email', 'updated', (ctx, id) => services.accountAdmin.updateProfile(id, {
    email: formText(ctx, 'email'), emailVerified: formText(ctx, 'verified') === 'yes' ? true : undefined,
  }), { fields: ['email'], recent: true });

  action('verify-email', 'verified', (_ctx, id) => services.accountAdmin.updateProfile(id, { emailVerified: true }));
  action('password-reset', 'reset-sent', (_ctx, id) => services.accountAdmin.sendPasswordReset(id));
  action('remove-factors', 'factors-removed', (_ctx, id) => services.accountAdmin.removeSecondFactors(id), { recent: true });
  action('end-sessions', 'sessions-ended', (_ctx, id) => services.accountAdmin.endSessions(id), { recent: true });

  /** Whether the role named in the form is admin (by id or by name in any case, as the library finds roles). */
  const isAdminRole = async (ctx: Context) => {
    const role = await services.roles.find(formText(ctx, 'role')).catch((error: unknown) => {
      if (error instanceof RequestError) return undefined;
      throw error;
    });
    return role?.name === ADMIN_ROLE;
  };

  action('roles/grant', 'role-granted', (ctx, id) => services.roles.grant(formText(ctx, 'role'), id), { fields: ['role'], recent: isAdminRole });
  action('roles/revoke', 'role-revoked', async (ctx, id) => {
    if (await isAdminRole(ctx)) notToSelf(ctx, id);
    await services.roles.revoke(formText(ctx, 'role'), id);
  }, { recent: isAdminRole });

  action('disable', 'disabled', async (ctx, id) => {
    notToSelf(ctx, id);
    await services.accounts.setDisabled(id, true);
  }, { recent: true });
  action('enable', 'enabled', (_ctx, id) => services.accounts.setDisabled(id, false));

  action('delete', 'deleted', async (ctx, id) => {
    notToSelf(ctx, id);
    const { email } = await services.accountAdmin.view(id);
    if (formText(ctx, 'confirm').toLowerCase() !== email.toLowerCase()) {
      throw new RequestError('console_confirm', 400, 'Type the account\'s address to delete it.');
    }
    await services.accountAdmin.delete(id);
  }, { recent: true, fields: ['confirm'] });
}
