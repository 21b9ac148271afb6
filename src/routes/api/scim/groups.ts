// /scim/v2/Groups: Latchkey's roles as SCIM Groups (admin included), their members the accounts
// that hold them. A caller with only the scim scope may read the admin role but not change it.
import type Router from '@koa/router';
import type { Context } from 'koa';
import SCIMMY from 'scimmy';
import type { PresentedRole } from '../../../libraries/roles.ts';
import { ADMIN_ROLE } from '../../../libraries/roles.ts';
import { callerOf } from '../../../middleware/koa-bearer-auth.ts';
import type { Services } from '../../../services.ts';
import { groupSchema, scimGroupJson, withBooleans } from './representations.ts';
import { answer, LIST_SCHEMA, projection } from './users.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MEMBERS_PAGE = 1000;

type Members = Array<{ value?: string }>;

export default function scimGroupRoutes(router: Router, services: Services) {
  const base = `${services.config.issuer}/scim/v2`;

  async function members(role: PresentedRole): Promise<Array<{ value: string; display: string; $ref: string }>> {
    const all: Array<{ id: string; email: string }> = [];
    for (let afterEmail: string | undefined, page; ; afterEmail = page.at(-1)!.email) {
      page = (await services.roles.holders(role.id, { afterEmail, limit: MEMBERS_PAGE })).holders;
      all.push(...page);
      if (page.length < MEMBERS_PAGE) break;
    }
    return all.map((holder) => ({ value: holder.id, display: holder.email, $ref: `${base}/Users/${holder.id}` }));
  }

  async function scimGroup(role: PresentedRole, ctx?: Context) {
    const attributes = ctx ? projection(ctx) : undefined;
    const excluded = typeof ctx?.query.excludedAttributes === 'string' && /(^|,)\s*members\s*(,|$)/i.test(ctx.query.excludedAttributes);
    return new groupSchema({
      id: role.id, displayName: role.name,
      ...(excluded ? {} : { members: await members(role) }),
      meta: { created: new Date(role.created_at), lastModified: new Date(role.updated_at) },
    }, 'out', `${base}/Groups`, attributes);
  }

  async function role(id: string): Promise<PresentedRole> {
    if (!UUID.test(id)) throw new SCIMMY.Types.Error(404, null as never, `No Group ${id}.`);
    try {
      return await services.roles.find(id);
    } catch {
      throw new SCIMMY.Types.Error(404, null as never, `No Group ${id}.`);
    }
  }

  /** Who holds admin decides who administers Latchkey: that takes the admin scope. */
  function mayChange(ctx: Context, target: PresentedRole) {
    if (target.name === ADMIN_ROLE && !callerOf(ctx).scopes.has('admin')) {
      throw new SCIMMY.Types.Error(403, null as never, 'Changing the admin role takes a token with the admin scope.');
    }
  }

  /** Makes the role's holders exactly `wanted` (account ids), giving and taking one by one. */
  async function setMembers(target: PresentedRole, wanted: Members) {
    const ids = new Set(wanted.map((member) => member.value).filter((value): value is string => typeof value === 'string'));
    for (const id of ids) if (!UUID.test(id)) throw new SCIMMY.Types.Error(400, 'invalidValue', `Member ${id} is not a User id.`);
    const now = new Set((await members(target)).map((member) => member.value));
    for (const id of ids) if (!now.has(id)) await services.roles.grant(target.id, id);
    for (const id of now) if (!ids.has(id)) await services.roles.revoke(target.id, id);
  }

  const body = (ctx: Context) => withBooleans((ctx.request as { body?: unknown }).body ?? {}) as Record<string, unknown>;

  router.get('/Groups', async (ctx) => {
    const filter = typeof ctx.query.filter === 'string' ? new SCIMMY.Types.Filter(ctx.query.filter) : undefined;
    const all = await services.roles.list();
    // Roles are few: every one is described (names only) and the filter matched as scimmy does.
    const described = all.map((found) => ({ id: found.id, displayName: found.name, meta: { created: found.created_at, lastModified: found.updated_at } }));
    const matching = filter ? (filter.match(described) as typeof described) : described;
    const startIndex = Math.max(Number.parseInt(String(ctx.query.startIndex ?? '1'), 10) || 1, 1);
    const count = Math.min(Math.max(Number.parseInt(String(ctx.query.count ?? '100'), 10) || 0, 0), 200);
    const page = matching.slice(startIndex - 1, startIndex - 1 + count);
    const roles = new Map(all.map((found) => [found.id, found]));
    answer(ctx, 200, {
      schemas: [LIST_SCHEMA], totalResults: matching.length, startIndex, itemsPerPage: page.length,
      Resources: await Promise.all(page.map(async (group) => scimGroupJson(await scimGroup(roles.get(group.id)!, ctx)))),
    });
  });

  router.post('/Groups', async (ctx) => {
    const group = new groupSchema(body(ctx), 'in') as unknown as { displayName?: string; members?: Members };
    const created = await services.roles.create({ name: group.displayName });
    if (group.members?.length) await setMembers(created, group.members);
    ctx.set('Location', `${base}/Groups/${created.id}`);
    answer(ctx, 201, scimGroupJson(await scimGroup(await services.roles.find(created.id), ctx)));
  });

  router.get('/Groups/:id', async (ctx) => answer(ctx, 200, scimGroupJson(await scimGroup(await role(ctx.params.id!), ctx))));

  router.put('/Groups/:id', async (ctx) => {
    const target = await role(ctx.params.id!);
    mayChange(ctx, target);
    const group = new groupSchema(body(ctx), 'in') as unknown as { displayName?: string; members?: Members };
    if (group.displayName && group.displayName !== target.name) await services.roles.update(target.id, { name: group.displayName });
    await setMembers(target, group.members ?? []);
    answer(ctx, 200, scimGroupJson(await scimGroup(await services.roles.find(target.id), ctx)));
  });

  router.patch('/Groups/:id', async (ctx) => {
    const target = await role(ctx.params.id!);
    mayChange(ctx, target);
    const patched = await new SCIMMY.Messages.PatchOp(body(ctx) as never).apply(await scimGroup(target) as never, async (instance: unknown) => {
      const group = instance as { displayName?: string; members?: Members };
      if (group.displayName && group.displayName !== target.name) await services.roles.update(target.id, { name: group.displayName });
      await setMembers(target, group.members ?? []);
      return instance as never;
    });
    if (patched === undefined) answer(ctx, 204);
    else answer(ctx, 200, scimGroupJson(await scimGroup(await services.roles.find(target.id), ctx)));
  });

  router.delete('/Groups/:id', async (ctx) => {
    const target = await role(ctx.params.id!);
    mayChange(ctx, target);
    await services.roles.delete(target.id);
    answer(ctx, 204);
  });
}
