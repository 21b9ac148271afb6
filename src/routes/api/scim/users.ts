// /scim/v2/Users: people, provisioned by a directory. Create, read, list with a filter and
// startIndex/count over every account, replace, patch (as Entra ID and Okta send it) and delete.
import type Router from '@koa/router';
import type { Context } from 'koa';
import SCIMMY from 'scimmy';
import type { Services } from '../../../services.ts';
import { directoryConditions } from './scim-filter.ts';
import { directoryRecord, scimUser, userResource, userSchema, withBooleans } from './representations.ts';
import { SCIM_TYPE } from './scim-errors.ts';
import { callerOf } from '../../../middleware/koa-bearer-auth.ts';
import { UUID } from '../../../libraries/uuid.ts';

export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const MAX_COUNT = 200;

/** attributes / excludedAttributes of the query, as scimmy reads them. */
export function projection(ctx: Context) {
  const { attributes, excludedAttributes } = ctx.query;
  const wanted = { ...(typeof attributes === 'string' ? { attributes } : {}), ...(typeof excludedAttributes === 'string' ? { excludedAttributes } : {}) };
  return new SCIMMY.Resources.User(undefined as never, wanted).attributes as InstanceType<typeof SCIMMY.Types.Filter> | undefined;
}

function whole(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^-?\d{1,9}$/.test(value)) throw new SCIMMY.Types.Error(400, 'invalidValue', `${name} must be a whole number.`);
  return Math.max(Number(value), min);
}

/** A caller with only the scim scope acts as the directory: it changes only the accounts it provisioned. */
export const asDirectory = (ctx: Context) => !callerOf(ctx).scopes.has('admin');

export function answer(ctx: Context, status: number, body?: unknown) {
  if (body === undefined) {
    ctx.body = null; // no body at all; the status after it, which would otherwise become 204
    ctx.status = status;
    return;
  }
  ctx.status = status;
  ctx.body = JSON.parse(JSON.stringify(body)); // scimmy's schema instances, as plain JSON
  ctx.type = SCIM_TYPE;
}

export default function scimUserRoutes(router: Router, services: Services) {
  const base = `${services.config.issuer}/scim/v2`;
  const roleIds = async () => new Map((await services.roles.list()).map((role) => [role.name, role.id]));
  async function account(id: string) {
    const found = UUID.test(id) ? await services.queries.accounts.maybeFindAccountById(id) : undefined;
    if (!found) throw new SCIMMY.Types.Error(404, null as never, `No User ${id}.`);
    return found;
  }
  const body = (ctx: Context) => withBooleans((ctx.request as { body?: unknown }).body ?? {}) as Record<string, unknown>;
  const location = (id: string) => `${base}/Users/${id}`;

  router.get('/Users', async (ctx) => {
    const anyOf = directoryConditions(typeof ctx.query.filter === 'string' ? ctx.query.filter : undefined);
    const startIndex = whole(ctx.query.startIndex, 'startIndex', 1, 1);
    const count = Math.min(whole(ctx.query.count, 'count', 100, 0), MAX_COUNT);
    const { rows, total } = await services.queries.accounts.searchDirectory(anyOf, { offset: startIndex - 1, limit: count });
    const roles = await roleIds();
    const attributes = projection(ctx);
    answer(ctx, 200, {
      schemas: [LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: rows.length,
      Resources: rows.map((row) => scimUser(row, base, roles, attributes)),
    });
  });

  router.post('/Users', async (ctx) => {
    const user = new userSchema(body(ctx), 'in') as unknown as Record<string, unknown>;
    if (typeof user.userName !== 'string') throw new SCIMMY.Types.Error(400, 'invalidValue', 'userName (the email address) is required.');
    const created = await services.accountAdmin.provision(directoryRecord(user));
    ctx.set('Location', location(created.id));
    answer(ctx, 201, scimUser(created, base, await roleIds(), projection(ctx)));
  });

  router.get('/Users/:id', async (ctx) => {
    answer(ctx, 200, scimUser(await account(ctx.params.id!), base, await roleIds(), projection(ctx)));
  });

  router.put('/Users/:id', async (ctx) => {
    const current = await account(ctx.params.id!);
    const user = new userSchema(body(ctx), 'in') as unknown as Record<string, unknown>;
    if (typeof user.userName !== 'string') throw new SCIMMY.Types.Error(400, 'invalidValue', 'userName (the email address) is required.');
    const updated = await services.accountAdmin.applyDirectory(current.id, directoryRecord(user, current), { asDirectory: asDirectory(ctx) });
    answer(ctx, 200, scimUser(updated, base, await roleIds(), projection(ctx)));
  });

  router.patch('/Users/:id', async (ctx) => {
    const current = await account(ctx.params.id!);
    const roles = await roleIds();
    let updated = current;
    const patched = await new SCIMMY.Messages.PatchOp(body(ctx) as never).apply(userResource(current, base, roles) as never, async (instance: unknown) => {
      updated = await services.accountAdmin.applyDirectory(current.id, directoryRecord(instance as Record<string, unknown>, current), { asDirectory: asDirectory(ctx) });
      return userResource(updated, base, roles) as never;
    });
    if (patched === undefined) answer(ctx, 204);
    else answer(ctx, 200, scimUser(updated, base, roles, projection(ctx)));
  });

  router.delete('/Users/:id', async (ctx) => {
    await services.accountAdmin.delete((await account(ctx.params.id!)).id, { asDirectory: asDirectory(ctx) });
    answer(ctx, 204);
  });
}
