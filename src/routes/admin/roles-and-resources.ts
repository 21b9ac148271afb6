// Roles and API resources: make, change and delete roles (the built-in admin role refuses to be
// renamed or deleted: the library says so, the page shows it), choose the permissions each holds,
// see who holds it (people and machine clients); register the APIs that accept Latchkey's access
// tokens and the permissions they define. Each change is a library call the admin API and CLI make too.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import type { FormProblem } from '../../pages/form-problem.ts';
import type { Services } from '../../services.ts';
import { backTo, consoleChange, formList, formText, renderConsolePage } from './console-page.ts';
import { recentSignIn } from './console-session.ts';
import { UUID } from '../../libraries/uuid.ts';

const NOTICES: Record<string, string> = {
  'role-created': 'console.roles.notices.roleCreated',
  'role-updated': 'console.roles.notices.roleUpdated',
  'role-deleted': 'console.roles.notices.roleDeleted',
  'permissions-saved': 'console.roles.notices.permissionsSaved',
  'resource-created': 'console.roles.notices.resourceCreated',
  'resource-updated': 'console.roles.notices.resourceUpdated',
  'permission-added': 'console.roles.notices.permissionAdded',
  'permission-removed': 'console.roles.notices.permissionRemoved',
  'resource-deleted': 'console.roles.notices.resourceDeleted',
};

/** Which input of each form a library refusal is about, by its code (the rest go above the page). */
const ROLE_FIELDS = { invalid_role_name: 'role-name', role_exists: 'role-name', invalid_description: 'role-description' };
const RESOURCE_FIELDS = {
  invalid_identifier: 'resource-identifier', resource_exists: 'resource-identifier', invalid_name: 'resource-name',
  invalid_permissions: 'resource-permissions', invalid_ttl: 'resource-ttl',
};
const PERMISSION_FIELDS = { invalid_permissions: 'permission-name', permission_exists: 'permission-name' };

const HOLDERS_PER_PAGE = 25;

interface RoleFormValues { name: string; description: string; isDefault: boolean }
interface ResourceFormValues { identifier: string; name: string; permissions: string; ttl: string }

const roleValuesOf = (ctx: Context): RoleFormValues => ({
  name: formText(ctx, 'name'), description: formText(ctx, 'description'), isDefault: formText(ctx, 'is_default') === 'yes',
});

/** Seconds as typed: a whole number becomes one; anything else goes to the library as it is, to be refused there. */
const ttlOf = (typed: string): unknown => (typed === '' ? undefined : /^\d{1,9}$/.test(typed) ? Number(typed) : typed);

export default function roleRoutes(router: Router, services: Services) {
  const rolePath = (id: string) => `/admin/roles/${id}`;
  const resourcePath = (id: string) => `/admin/roles/resources/${id}`;
  const idOf = (ctx: Context, code: 'role_not_found' | 'resource_not_found') => {
    if (!UUID.test(ctx.params.id ?? '')) throw new RequestError(code, 404, code === 'role_not_found' ? 'No such role.' : 'No such API resource.');
    return ctx.params.id!;
  };

  // The list: every role and every API resource, with a form to make each.
  async function renderList(ctx: Context, { roleValues, resourceValues, error = '', status = 200 }:
    { roleValues?: RoleFormValues; resourceValues?: ResourceFormValues; error?: FormProblem | ''; status?: number } = {}) {
    const [roles, resources] = await Promise.all([services.roles.list(), services.apiResources.list()]);
    await renderConsolePage(ctx, services, 'admin/roles', {
      title: 'console.roles.title', section: 'roles', notices: NOTICES, error, roles, resources,
      roleValues: roleValues ?? { name: '', description: '', isDefault: false },
      resourceValues: resourceValues ?? { identifier: '', name: '', permissions: '', ttl: '3600' },
    }, status);
  }

  router.get('/roles', (ctx) => renderList(ctx));

  // /roles/resources alone is no role: the resources are on the list.
  router.get('/roles/resources', (ctx) => {
    ctx.redirect('/admin/roles#resources-heading');
  });

  router.post('/roles', async (ctx) => {
    const values = roleValuesOf(ctx);
    let id = '';
    await consoleChange(ctx, ROLE_FIELDS, async () => {
      ({ id } = await services.roles.create({ name: values.name, description: values.description, isDefault: values.isDefault }));
    }, (error, status) => renderList(ctx, { roleValues: values, error, status }));
    if (id) backTo(ctx, rolePath(id), 'role-created');
  });

  router.post('/roles/resources', async (ctx) => {
    const values: ResourceFormValues = {
      identifier: formText(ctx, 'identifier'), name: formText(ctx, 'name'), permissions: formText(ctx, 'permissions'), ttl: formText(ctx, 'ttl'),
    };
    let id = '';
    await consoleChange(ctx, RESOURCE_FIELDS, async () => {
      ({ id } = await services.apiResources.create({
        identifier: values.identifier, name: values.name, permissions: values.permissions.split(/[\s,]+/).filter(Boolean), accessTokenTtl: ttlOf(values.ttl),
      }));
    }, (error, status) => renderList(ctx, { resourceValues: values, error, status }));
    if (id) backTo(ctx, resourcePath(id), 'resource-created');
  });

  // One API resource: its settings, its permissions one by one, and deleting it.
  async function renderResource(ctx: Context, id: string, { error = '' as FormProblem | '', status = 200, values = undefined as { name: string; ttl: string } | undefined,
    permission = { name: '', description: '' } } = {}) {
    const resource = await services.apiResources.find(id);
    await renderConsolePage(ctx, services, 'admin/resource', {
      title: 'console.roles.resourceTitle', section: 'roles', notices: NOTICES, error, resource,
      values: values ?? { name: resource.name, ttl: String(resource.access_token_ttl) }, newPermission: permission,
    }, status);
  }

  router.get('/roles/resources/:id', (ctx) => renderResource(ctx, idOf(ctx, 'resource_not_found')));

  /** A POST on a resource: `work`, then back to its page (or the list once deleted) with `done`; a refusal is shown on its page. */
  const resourceAction = (path: string, done: string, fieldOf: Record<string, string>,
    work: (ctx: Context, id: string) => Promise<unknown>, showAgain: (ctx: Context, id: string, error: FormProblem, status: number) => Promise<void>,
    { recent = false } = {}) =>
    router.post(`/roles/resources/:id${path}`, async (ctx) => {
      const id = idOf(ctx, 'resource_not_found');
      if (recent && !recentSignIn(ctx, resourcePath(id))) return;
      const changed = await consoleChange(ctx, fieldOf, async () => {
        await work(ctx, id);
      }, (error, status) => showAgain(ctx, id, error, status));
      if (changed) backTo(ctx, done === 'resource-deleted' ? '/admin/roles' : resourcePath(id), done);
    });

  const resourceEditValues = (ctx: Context) => ({ name: formText(ctx, 'name'), ttl: formText(ctx, 'ttl') });
  resourceAction('', 'resource-updated', { invalid_name: 'name', invalid_ttl: 'ttl' },
    (ctx, id) => {
      const { name, ttl } = resourceEditValues(ctx);
      return services.apiResources.update(id, { name, accessTokenTtl: ttlOf(ttl) });
    },
    (ctx, id, error, status) => renderResource(ctx, id, { error, status, values: resourceEditValues(ctx) }));

  const permissionValues = (ctx: Context) => ({ name: formText(ctx, 'permission'), description: formText(ctx, 'description') });
  resourceAction('/permissions', 'permission-added', PERMISSION_FIELDS,
    (ctx, id) => services.apiResources.addPermission(id, permissionValues(ctx)),
    (ctx, id, error, status) => renderResource(ctx, id, { error, status, permission: permissionValues(ctx) }));

  resourceAction('/permissions/remove', 'permission-removed', {},
    (ctx, id) => services.apiResources.removePermission(id, formText(ctx, 'permission')),
    (ctx, id, error, status) => renderResource(ctx, id, { error, status }));

  resourceAction('/delete', 'resource-deleted', {},
    (_ctx, id) => services.apiResources.delete(id),
    (ctx, id, error, status) => renderResource(ctx, id, { error, status }), { recent: true });

  // One role: its settings, its permissions, who holds it, and deleting it.
  async function renderRole(ctx: Context, id: string, { error = '' as FormProblem | '', status = 200, values = undefined as RoleFormValues | undefined } = {}) {
    const after = holdersAfter(ctx);
    const [{ role, holders }, held, resources, clients] = await Promise.all([
      services.roles.holders(id, { afterEmail: after, limit: HOLDERS_PER_PAGE + 1 }),
      services.roles.permissions(id),
      services.apiResources.list(),
      services.apiResources.clientsWithRole(id),
    ]);
    const page = holders.slice(0, HOLDERS_PER_PAGE);
    await renderConsolePage(ctx, services, 'admin/role', {
      title: 'console.roles.roleTitle', section: 'roles', notices: NOTICES, error, role, resources, clients,
      held: new Set(held.map((entry) => permissionValue(entry.resource, entry.permission))), permissionValue,
      holders: page, firstUrl: after === undefined ? '' : rolePath(id),
      nextUrl: holders.length > HOLDERS_PER_PAGE ? `${rolePath(id)}?after=${Buffer.from(page.at(-1)!.email).toString('base64url')}` : '',
      values: values ?? { name: role.name, description: role.description, isDefault: role.is_default },
    }, status);
  }

  router.get('/roles/:id', (ctx) => renderRole(ctx, idOf(ctx, 'role_not_found')));

  /** A POST on a role: `work`, then back to its page (or the list once deleted) with `done`; a refusal is shown on its page. */
  const roleAction = (path: string, done: string, fieldOf: Record<string, string>, work: (ctx: Context, id: string) => Promise<unknown>,
    { recent = false, keepValues = false } = {}) =>
    router.post(`/roles/:id${path}`, async (ctx) => {
      const id = idOf(ctx, 'role_not_found');
      if (recent && !recentSignIn(ctx, rolePath(id))) return;
      const changed = await consoleChange(ctx, fieldOf, async () => {
        await work(ctx, id);
      }, (error, status) => renderRole(ctx, id, { error, status, values: keepValues ? roleValuesOf(ctx) : undefined }));
      if (changed) backTo(ctx, done === 'role-deleted' ? '/admin/roles' : rolePath(id), done);
    });

  roleAction('', 'role-updated', ROLE_FIELDS, (ctx, id) => {
    const values = roleValuesOf(ctx);
    return services.roles.update(id, { name: values.name, description: values.description, isDefault: values.isDefault });
  }, { keepValues: true });

  roleAction('/permissions', 'permissions-saved', {}, (ctx, id) => services.roles.setPermissions(id, formList(ctx, 'permission').map((value) => {
    const [resource = '', permission = '', ...more] = value.split(' ');
    return more.length ? { resource: value, permission: '' } : { resource, permission }; // not one of the page's boxes: refused by the library
  })));

  roleAction('/delete', 'role-deleted', {}, (_ctx, id) => services.roles.delete(id), { recent: true });
}

/** Where the page of holders starts: after this address (as the pager's links carry it), or at the start. */
function holdersAfter(ctx: Context): string | undefined {
  if (typeof ctx.query.after !== 'string' || ctx.query.after.length > 700) return undefined;
  const email = Buffer.from(ctx.query.after, 'base64url').toString('utf8');
  return email && !/[\0\uFFFD]/.test(email) ? email : undefined; // no text column holds NUL; a mangled cursor starts again
}

/** A permission as one checkbox's value: neither an identifier nor a permission holds a space. */
const permissionValue = (resource: string, permission: string) => `${resource} ${permission}`;
