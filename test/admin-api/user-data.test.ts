// The admin API's side of a person's data: everything held about them, as they would download it
// (GET /users/{id}/export, audited), and deleting them by the same rule as every other door
// (applications told, confirmation mailed, the audit log's events kept without personal data,
// the administrator who acted still named).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApiToken, openAdminApi } from '../helpers/admin-api.ts';
import { openSignIn, startAppWithMail } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, registerClient, signInForTokens, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;
let api: Awaited<ReturnType<typeof openAdminApi>>;
let admin: string, reader: string, scimOnly: string;

beforeAll(async () => {
  ({ app, sink, client, close } = await startAppWithMail());
  await app.services.clients.updateClient(client.clientId, { backchannelLogoutUri: 'http://localhost:9/backchannel' });
  api = await openAdminApi(app);
  [admin, reader, scimOnly] = await Promise.all([makeApiToken(app, 'admin'), makeApiToken(app, 'admin:read'), makeApiToken(app, 'scim')]);
});
afterAll(() => close?.());

const knex = () => app.services.db.knex;

/** A person who signed in to the client once (with offline access) after failing once. */
async function personWithHistory() {
  const user = await createUser(app);
  const session = new HttpSession({ 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' });
  const { page } = await openSignIn(app, client, session);
  expect((await submitLogin(session, app, page, user.email, 'not it')).status).toBe(401);
  const { tokens } = await signInForTokens(app, client, user, { session, params: { scope: 'openid email offline_access', prompt: 'consent' } });
  return { user, tokens };
}

describe('admin API: a person\'s data', () => {
  it('exports everything held about a person with admin:read, as they would download it, and records it', async () => {
    const { user, tokens } = await personWithHistory();
    const answer = await api.call(reader, 'get', `/users/${user.id}/export`); // checked against the published schema
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const data = answer.body;
    expect(data.profile).toMatchObject({ id: user.id, email: user.email, has_password: true });
    expect(data.applications).toEqual([expect.objectContaining({ client_id: client.clientId, name: 'Test RP', last_used_at: expect.any(String) })]);
    expect(data.sessions).toHaveLength(1);
    expect(data.activity.find((event: { type: string }) => event.type === 'sign_in.failed')).toMatchObject({ ip: '127.0.0.1', user_agent: expect.stringContaining('Safari') });
    const text = JSON.stringify(data);
    const { password_hash: hash } = await knex()('accounts').where({ id: user.id }).first();
    for (const secret of [hash, tokens.refresh_token, tokens.access_token]) expect(text.includes(secret)).toBe(false);

    const [event] = (await app.services.audit.list({ subjectId: user.id, types: ['account.exported'], limit: 1 })).events;
    expect(event).toMatchObject({ actor: { type: 'api_token' }, details: { by: 'admin' } });

    expect((await api.call(reader, 'get', '/users/00000000-0000-4000-8000-000000000000/export')).status).toBe(404);
    expect((await api.call(reader, 'get', '/users/not-an-id/export')).status).toBe(400);
    expect((await api.call(scimOnly, 'get', `/users/${user.id}/export`)).status).toBe(403);
    expect((await api.call(undefined, 'get', `/users/${user.id}/export`)).status).toBe(401);
  });

  it('deletes a person as every door does: applications told, confirmation mailed, events kept without personal data', async () => {
    const { user, tokens } = await personWithHistory();
    const before = (await knex()('audit_events').where({ subject_id: user.id })).length;
    expect((await api.call(reader, 'delete', `/users/${user.id}`)).status).toBe(403); // a reader cannot
    expect((await api.call(admin, 'delete', `/users/${user.id}`)).status).toBe(204);

    expect(await knex()('accounts').where({ id: user.id })).toEqual([]);
    expect(await knex()('oidc_payloads').where({ account_id: user.id })).toEqual([]);
    expect((await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).body.error).toBe('invalid_grant');
    expect(await knex()('backchannel_logouts').where({ account_id: user.id, client_id: client.clientId })).not.toEqual([]);

    expect(await knex()('audit_events').where({ subject_id: user.id })).toEqual([]);
    const [deleted] = await knex()('audit_events').where({ type: 'account.deleted' }).orderBy('id', 'desc').limit(1);
    // The administrator acted: their token stays named, with the address they called from.
    expect(deleted).toMatchObject({ actor_type: 'api_token', details: { by: 'admin' }, ip: '127.0.0.1' });
    const kept = await knex()('audit_events').where({ subject_id: deleted.subject_id });
    expect(kept).toHaveLength(before + 1);
    // What the person did, or was tried on them, keeps no IP or browser.
    for (const event of kept.filter((each) => each.actor_type !== 'api_token')) expect(event, event.type).toMatchObject({ ip: null, user_agent: null });

    const mail = await sink.next(user.email);
    expect(mail.subject).toContain('account was deleted');
    expect(mail.text).toContain('An administrator deleted your');
    expect((await api.call(admin, 'delete', `/users/${user.id}`)).status).toBe(404);
    expect((await api.call(reader, 'get', `/users/${user.id}/export`)).status).toBe(404);
  });
});
