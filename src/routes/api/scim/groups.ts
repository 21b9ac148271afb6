// /scim/v2/Groups: Latchkey's roles as SCIM Groups (admin included), their members the accounts
// that hold them. A caller with only the scim scope may read the admin role but not change it,
// and changes membership only of the accounts it provisioned. Lists leave members out unless
// asked for; member additions and removals go straight to the database, so a role held by a
// million accounts costs no more to change than one held by ten.
import type Router from '@koa/router';
import type { Context } from 'koa';
import SCIMMY from 'scimmy';
import type { PresentedRole } from '../../../libraries/roles.ts';
import { ADMIN_ROLE } from '../../../libraries/roles.ts';
import type { Services } from '../../../services.ts';
import { groupSchema, scimGroupJson, withBooleans } from './representations.ts';
import { answer, asDirectory, LIST_SCHEMA, projection } from './users.ts';
import { UUID } from '../../../libraries/uuid.ts';

/** The most members one answer lists; a bigger group is read with excludedAttributes=members. */
const MEMBERS_MAX = 10_000;
const MEMBER_PATH = /^members\[value eq "([^"]+)"\]$/i;

type Members = Array<{ value?: unknown }>;
type Operation = { op?: unknown; path?: unknown; value?: unknown };

const memberIds = (members: Members | { value?: unknown } | undefined): string[] => {
  const ids = (Array.isArray(members) ? members : members ? [members] : []).map((member) => member?.value);
  for (const id of ids) if (typeof id !== 'string' || !UUID.test(id)) throw new SCIMMY.Types.Error(400, 'invalidValue', `Member ${String(id)} is not a User id.`);
  return (ids as string[]).map((id) => id.toLowerCase()); // ids are stored in lower case
};

/** A PATCH that only adds or removes members (as Entra ID and Okta send them), as ids; undefined for anything else. */
function memberChanges(operations: Operation[]): { add: string[]; remove: string[] } | undefined {
  const add: string[] = [];
  const remove: string[] = [];
  for (const { op, path, value } of operations) {
    const verb = typeof op === 'string' ? op.toLowerCase() : '';
    const target = typeof path === 'string' ? path.trim() : '';
    if (verb === 'add' && target.toLowerCase() === 'members') {
      if (value === undefined) throw new SCIMMY.Types.Error(400, 'invalidValue', 'An add operation needs a value.');
      add.push(...memberIds(value as Members));
    }
    else if (verb === 'remove' && target.toLowerCase() === 'members' && Array.isArray(value)) remove.push(...memberIds(value as Members));
    else if (verb === 'remove' && MEMBER_PATH.test(target)) remove.push(...memberIds([{ value: MEMBER_PATH.exec(target)![1] }]));
    else return undefined;
  }
  return { add, remove };
}

export default function scimGroupRoutes(router: Router, services: Services) {
  const base = `${services.config.issuer}/scim/v2`;

  async function members(role: PresentedRole): Promise<Array<{ value: string; display: string; $ref: string }>> {
    const { holders } = await services.roles.holders(role.id, { limit: MEMBERS_MAX + 1 });
    if (holders.length > MEMBERS_MAX) throw new SCIMMY.Types.Error(400, 'tooMany', `${role.name} has more than ${MEMBERS_MAX} members: ask with excludedAttributes=members.`);
    return holders.map((holder) => ({ value: holder.id, display: holder.email, $ref: `${base}/Users/${holder.id}` }));
  }

  async function scimGroup(role: PresentedRole, ctx: Context | undefined, { membersByDefault }: { membersByDefault: boolean }) {
    const attributes = ctx ? projection(ctx) : undefined;
    const asked = (name: 'attributes' | 'excludedAttributes') => typeof ctx?.query[name] === 'string' && /(^|,)\s*members\s*(,|$)/i.test(ctx.query[name] as string);
    const withMembers = !asked('excludedAttributes') && (asked('attributes') || (membersByDefault && typeof ctx?.query.attributes !== 'string'));
    return new groupSchema({
      id: role.id, displayName: role.name,
      ...(withMembers ? { members: await members(role) } : {}),
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

  /**
   * A directory changes only the roles it made: renaming or deleting the organisation's own
   * roles (admin above all) would change the claims of accounts it does not manage.
   */
  function mayChange(ctx: Context, target: PresentedRole) {
    if (asDirectory(ctx) && (target.name === ADMIN_ROLE || !target.made_by_directory)) {
      throw new SCIMMY.Types.Error(403, null as never, `${target.name} was not made over SCIM: changing it takes a token with the admin scope.`);
    }
  }

  async function changeMembers(ctx: Context, target: PresentedRole, change: { add: string[]; remove: string[] }) {
    await services.accountAdmin.assertMayChangeAll([...change.add, ...change.remove], { asDirectory: asDirectory(ctx) });
    await services.roles.changeMembers(target.id, change);
  }

  /** Makes the role's holders exactly these accounts. */
  async function replaceMembers(ctx: Context, target: PresentedRole, wanted: string[]) {
    const now = new Set((await members(target)).map((member) => member.value));
    const keep = new Set(wanted);
    await changeMembers(ctx, target, { add: wanted.filter((id) => !now.has(id)), remove: [...now].filter((id) => !keep.has(id)) });
  }

  const body = (ctx: Context) => withBooleans((ctx.request as { body?: unknown }).body ?? {}) as Record<string, unknown>;
  const json = async (target: PresentedRole, ctx: Context) => scimGroupJson(await scimGroup(await services.roles.find(target.id), ctx, { membersByDefault: true }));

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
    const resources = [];
    for (const group of page) resources.push(scimGroupJson(await scimGroup(roles.get(group.id)!, ctx, { membersByDefault: false })));
    answer(ctx, 200, { schemas: [LIST_SCHEMA], totalResults: matching.length, startIndex, itemsPerPage: page.length, Resources: resources });
  });

  router.post('/Groups', async (ctx) => {
    const group = new groupSchema(body(ctx), 'in') as unknown as { displayName?: string; members?: Members };
    const wanted = memberIds(group.members);
    await services.accountAdmin.assertMayChangeAll(wanted, { asDirectory: asDirectory(ctx) }); // before the role exists: all or nothing
    const created = await services.roles.create({ name: group.displayName, byDirectory: asDirectory(ctx) });
    if (wanted.length) await services.roles.changeMembers(created.id, { add: wanted });
    ctx.set('Location', `${base}/Groups/${created.id}`);
    answer(ctx, 201, await json(created, ctx));
  });

  router.get('/Groups/:id', async (ctx) => answer(ctx, 200, scimGroupJson(await scimGroup(await role(ctx.params.id!), ctx, { membersByDefault: true }))));

  router.put('/Groups/:id', async (ctx) => {
    const target = await role(ctx.params.id!);
    mayChange(ctx, target);
    const group = new groupSchema(body(ctx), 'in') as unknown as { displayName?: string; members?: Members };
    const wanted = memberIds(group.members);
    await services.accountAdmin.assertMayChangeAll(wanted, { asDirectory: asDirectory(ctx) }); // refused before anything changes
    if (group.displayName && group.displayName !== target.name) await services.roles.update(target.id, { name: group.displayName });
    await replaceMembers(ctx, target, wanted);
    answer(ctx, 200, await json(target, ctx));
  });

  router.patch('/Groups/:id', async (ctx) => {
    const target = await role(ctx.params.id!);
    mayChange(ctx, target);
    const message = body(ctx) as { Operations?: Operation[] };
    const direct = Array.isArray(message.Operations) && message.Operations.length ? memberChanges(message.Operations) : undefined;
    if (direct) {
      await changeMembers(ctx, target, direct);
      return answer(ctx, 204); // RFC 7644 §3.5.2: no body is needed, and the members may be many
    }
    const patched = await new SCIMMY.Messages.PatchOp(message as never).apply(await scimGroup(target, undefined, { membersByDefault: true }) as never, async (instance: unknown) => {
      const group = instance as { displayName?: string; members?: Members };
      if (group.displayName && group.displayName !== target.name) await services.roles.update(target.id, { name: group.displayName });
      await replaceMembers(ctx, target, memberIds(group.members));
      return instance as never;
    });
    if (patched === undefined) answer(ctx, 204);
    else answer(ctx, 200, await json(target, ctx));
  });

  router.delete('/Groups/:id', async (ctx) => {
    const target = await role(ctx.params.id!);
    mayChange(ctx, target);
    await services.roles.delete(target.id);
    answer(ctx, 204);
  });
}
