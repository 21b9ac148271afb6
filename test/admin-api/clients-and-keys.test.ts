import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApiToken, openAdminApi } from '../helpers/admin-api.ts';
import { authorize, createUser, registerClient, tokenRequest } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let api: Awaited<ReturnType<typeof openAdminApi>>;
let admin: string;
let reader: string;

beforeAll(async () => {
  app = await startApp();
  api = await openAdminApi(app);
  admin = await makeApiToken(app, 'admin');
  reader = await makeApiToken(app, 'admin:read');
});
afterAll(() => app?.close());

describe('applications through the admin API', () => {
  it('registers a web app with a secret shown once, changes it, rotates the secret and deletes it with its tokens', async () => {
    const created = await api.call(admin, 'post', '/clients', { client_name: 'Shop', redirect_uris: ['https://shop.example/cb'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ client_name: 'Shop', public: false, grant_types: ['authorization_code', 'refresh_token'], scope: 'openid email profile offline_access roles' });
    expect(created.body.client_secret).toMatch(/^[\w-]{40,}$/);
    const id = created.body.client_id as string;
    expect((await api.call(reader, 'get', `/clients/${id}`)).body).not.toHaveProperty('client_secret');
    expect((await api.call(reader, 'get', '/clients')).body.data.map((client: { client_id: string }) => client.client_id)).toContain(id);

    const changed = await api.call(admin, 'patch', `/clients/${id}`, { client_name: 'Shop 2', skip_consent: true, logo_uri: 'https://shop.example/logo.png' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ client_name: 'Shop 2', skip_consent: true, logo_uri: 'https://shop.example/logo.png', redirect_uris: ['https://shop.example/cb'] });
    expect((await api.call(admin, 'patch', `/clients/${id}`, { logo_uri: '' })).body.logo_uri).toBeNull();
    const logout = await api.call(admin, 'patch', `/clients/${id}`, { backchannel_logout_uri: 'https://shop.example/logout', backchannel_logout_session_required: true });
    expect(logout.body).toMatchObject({ backchannel_logout_uri: 'https://shop.example/logout', backchannel_logout_session_required: true });
    expect((await api.call(admin, 'patch', `/clients/${id}`, { backchannel_logout_uri: 'https://shop.example/logout#x' })).status).toBe(400);
    expect((await api.call(admin, 'patch', `/clients/${id}`, { backchannel_logout_uri: '' })).body.backchannel_logout_uri).toBeNull();
    const refused = await api.call(admin, 'patch', `/clients/${id}`, { redirect_uris: ['http://shop.example/cb'] });
    expect(refused.status).toBe(400);
    expect((await api.call(reader, 'get', `/clients/${id}`)).body.redirect_uris).toEqual(['https://shop.example/cb']); // nothing changed

    const rotated = await api.call(admin, 'post', `/clients/${id}/secret`);
    expect(rotated.body.client_secret).not.toBe(created.body.client_secret);
    expect((await tokenRequest(app, { clientId: id, clientSecret: created.body.client_secret }, { grant_type: 'client_credentials' })).status).toBe(401);

    const events = (await app.services.audit.list({ clientId: id, limit: 10 })).events;
    expect(events.map((event) => event.type)).toEqual(['client.secret_rotated', 'client.updated', 'client.updated', 'client.updated', 'client.updated', 'client.created']);
    expect(events[4]!.details.fields).toEqual(expect.arrayContaining(['client_name', 'logo_uri']));
    expect(events[0]!.actor.type).toBe('api_token');

    expect((await api.call(admin, 'delete', `/clients/${id}`)).status).toBe(204);
    expect((await api.call(reader, 'get', `/clients/${id}`)).status).toBe(404);
  });

  it('uses a changed client at once, and refuses what a registration may not have', async () => {
    const client = await registerClient(app);
    const user = await createUser(app);
    await api.call(admin, 'patch', `/clients/${client.clientId}`, { skip_consent: true });
    const { callback } = await authorize(app, client, user); // no consent page: skip_consent took effect
    expect(callback.searchParams.get('code')).toBeTruthy();
    const publicClient = await api.call(admin, 'post', '/clients', { client_name: 'SPA', public: true, redirect_uris: ['https://spa.example/cb'] });
    expect(publicClient.body.client_secret).toBeUndefined();
    expect((await api.call(admin, 'post', `/clients/${publicClient.body.client_id}/secret`)).status).toBe(409);
    const machine = await api.call(admin, 'post', '/clients', { client_name: 'Bad', redirect_uris: ['https://x.example/cb'], scopes: ['admin'] });
    expect(machine.status).toBe(400);
    expect((await api.call(admin, 'post', '/clients', { client_name: 'Bad', grant_types: ['implicit'] })).status).toBe(400);
    expect((await api.call(reader, 'post', '/clients', { client_name: 'Nope' })).status).toBe(403);
  });

  it('is the same through latchkey clients update', async () => {
    const client = await registerClient(app);
    const updated = await app.cli('clients', 'update', client.clientId, '--name', 'Renamed', '--redirect-uri', 'https://new.example/cb', '--json');
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ client_name: 'Renamed', redirect_uris: ['https://new.example/cb'] });
    const nothing = await app.cli('clients', 'update', client.clientId);
    expect(nothing.code).toBe(2);
    const bad = await app.cli('clients', 'update', client.clientId, '--id-token-alg', 'HS256');
    expect(bad.code).toBe(1);
    expect((await app.cli('clients', 'update', 'no-such-client', '--name', 'X')).code).toBe(1);
  });
});

describe('signing keys and reports through the admin API', () => {
  it('lists the keys, rotates them, and the provider publishes the new ones', async () => {
    const before = await api.call(reader, 'get', '/keys');
    expect(before.body.data.filter((key: { status: string }) => key.status === 'signing').map((key: { alg: string }) => key.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    const rotated = await api.call(admin, 'post', '/keys/rotate', { activate_in_seconds: 0 });
    expect(rotated.body.kids).toHaveLength(3);
    const jwks = await (await fetch(`${app.url}/jwks`)).json() as { keys: Array<{ kid: string }> };
    for (const kid of rotated.body.kids) expect(jwks.keys.map((key) => key.kid)).toContain(kid);
    expect((await api.call(admin, 'post', '/keys/rotate', { activate_in_seconds: -1 })).status).toBe(400);
    const [event] = (await app.services.audit.list({ types: ['key.rotated'], limit: 1 })).events;
    expect(event!.actor.type).toBe('api_token');
  });

  it('reports sign-ups as latchkey report signups does', async () => {
    const report = await api.call(reader, 'get', '/reports/signups?since_days=7');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ total: expect.any(Number), by_source: expect.any(Array), by_client: expect.any(Array) });
    expect((await api.call(reader, 'get', '/reports/signups?since_days=0')).status).toBe(400);
  });

  it('answers unknown paths and methods with problems', async () => {
    const missing = await api.call(reader, 'get', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
    const method = await fetch(`${app.url}/api/admin/v1/keys`, { method: 'PUT', headers: { authorization: `Bearer ${admin}` } });
    expect(method.status).toBe(405);
    expect((await method.json()).code).toBe('method_not_allowed');
  });
});

describe('the document and the routes', () => {
  it('had every client, key and report operation answered with a documented, valid body', () => {
    const mine = api.operations.filter((op) => /^\/(clients|keys|reports)/.test(op.template));
    const unseen = mine.filter((op) => ![...api.seen].some((key) => key.startsWith(`${op.method} ${op.template} 2`)));
    expect(unseen.map((op) => `${op.method} ${op.template}`)).toEqual([]);
  });
});
