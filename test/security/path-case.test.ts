// A path written in another letter case is not found: @koa/router matched routes in any case
// but ran a prefixed router's middleware (CSRF, the console's gate, SCIM's scope check) only in
// the case written, so /ADMIN/…, /ACCOUNT/… and /SCIM/… once reached unguarded routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApiToken } from '../helpers/admin-api.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
beforeAll(async () => { app = await startApp(); });
afterAll(() => app?.close());

describe('paths in another letter case', () => {
  it('reach nothing of the console, the account area or SCIM, and change nothing', async () => {
    const person = await app.services.accountAdmin.create({ email: 'cased@example.test', invite: false });
    await app.services.accounts.setDisabled(person.id, true);
    const stranger = new HttpSession();
    for (const path of ['/ADMIN/audit/export', '/Admin/audit', '/ADMIN', '/ACCOUNT/security', '/Interaction/x']) {
      expect((await stranger.request(`${app.url}${path}`)).status, path).toBe(404);
    }
    for (const path of [`/ADMIN/people/${person.id}/enable`, `/Admin/people/${person.id}/verify-email`, '/ACCOUNT/security/totp/remove']) {
      expect((await stranger.request(`${app.url}${path}`, { method: 'POST', form: {} })).status, path).toBe(404);
    }
    expect(await app.services.db.knex('accounts').where({ id: person.id }).first()).toMatchObject({ disabled: true, email_verified: false });

    const readOnly = await makeApiToken(app, 'admin:read');
    const created = await fetch(`${app.url}/SCIM/v2/Users`, {
      method: 'POST', headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'scim.cased@example.test' }),
    });
    expect(created.status).toBe(404);
    expect(await app.services.db.knex('accounts').where({ email: 'scim.cased@example.test' })).toHaveLength(0);
    // The right case still works.
    expect((await stranger.request(`${app.url}/admin`)).status).toBe(303);
  });
});
