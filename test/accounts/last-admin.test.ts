// An installation never loses its last enabled admin, whichever door is used: disabling,
// deleting or demoting the only one is refused (the CLI here; the console, the admin API and
// SCIM call the same libraries), and two admins demoting each other at once leave one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
beforeAll(async () => { app = await startApp(); });
afterAll(() => app?.close());

const adminCount = async () => (await app.services.db.knex('accounts').whereRaw("roles @> array['admin']::text[]").where({ disabled: false })).length;

describe('the last admin', () => {
  it('cannot be disabled, deleted or demoted until someone else is an admin', async () => {
    const first = await app.services.accountAdmin.create({ email: 'only.admin@example.test', admin: true, invite: false });
    for (const argv of [['users', 'disable', first.email], ['users', 'delete', first.email, '--confirm', first.email], ['users', 'revoke-role', first.email, 'admin']]) {
      const refused = await app.cli(...argv);
      expect(refused.code, argv.join(' ')).not.toBe(0);
      expect(refused.stderr, argv.join(' ')).toContain('only enabled admin');
    }
    expect(await app.services.db.knex('accounts').where({ id: first.id }).first()).toMatchObject({ disabled: false, roles: ['admin'] });

    const second = await app.services.accountAdmin.create({ email: 'second.admin@example.test', admin: true, invite: false });
    expect((await app.cli('users', 'disable', first.email)).code).toBe(0);
    // The disabled one no longer counts: the second is now the only one.
    expect((await app.cli('users', 'revoke-role', second.email, 'admin')).code).not.toBe(0);
    expect(await adminCount()).toBe(1);
  });

  it('leaves one when two admins take the role from each other at the same moment', async () => {
    const a = await app.services.accountAdmin.create({ email: 'a.admin@example.test', admin: true, invite: false });
    const b = await app.services.accountAdmin.create({ email: 'b.admin@example.test', admin: true, invite: false });
    const others = (await app.services.db.knex('accounts').whereRaw("roles @> array['admin']::text[]").whereNotIn('id', [a.id, b.id]).where({ disabled: false })).map((row) => row.id as string);
    for (const id of others) await app.services.roles.revoke('admin', id);
    const results = await Promise.allSettled([app.services.roles.revoke('admin', a.id), app.services.roles.revoke('admin', b.id)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'last_admin', status: 409 } });
    expect(await adminCount()).toBe(1);
  });
});
