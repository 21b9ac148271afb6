// API resources and RFC 9068 access tokens, checked as a resource server would check them:
// jose against /jwks, with the audience, issuer, expiry and the at+jwt type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { openSignIn } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { createUser, registerClient, signInForTokens, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const INVOICES = 'https://api.example.test/invoices';
let app: TestApp;
let client: TestClient;
let jwks: ReturnType<typeof jose.createRemoteJWKSet>;

async function machineClient(): Promise<TestClient> {
  const made = JSON.parse((await app.cli('clients', 'create', '--name', 'Billing job', '--grant-type', 'client_credentials', '--json')).stdout);
  return { clientId: made.client_id, clientSecret: made.client_secret };
}

async function verifyAsResourceServer(token: string) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { issuer: app.url, audience: INVOICES, typ: 'at+jwt' });
  return { payload, protectedHeader };
}

beforeAll(async () => {
  app = await startApp();
  jwks = jose.createRemoteJWKSet(new URL(`${app.url}/jwks`));
  client = await registerClient(app, { skipConsent: true });
  const cli = async (...args: string[]) => {
    const result = await app.cli(...args);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  };
  await cli('resources', 'create', '--identifier', INVOICES, '--name', 'Invoices', '--permission', 'read:invoices=See invoices', '--permission', 'write:invoices', '--token-ttl', '600');
  await cli('roles', 'create', '--name', 'accountant');
  await cli('roles', 'permissions', 'accountant', '--set', `${INVOICES}#read:invoices`, '--set', `${INVOICES}#write:invoices`);
  await cli('roles', 'create', '--name', 'auditor');
  await cli('roles', 'permissions', 'auditor', '--set', `${INVOICES}#read:invoices`);
});
afterAll(() => app?.close());

describe('access tokens for an API resource', () => {
  it('give a person the permissions asked for that their roles hold, as a JWT for the resource', async () => {
    const user = await createUser(app);
    await app.cli('users', 'grant-role', user.email, 'auditor');
    const { tokens } = await signInForTokens(app, client, user, { params: { scope: 'openid read:invoices write:invoices', resource: INVOICES } });
    const { payload, protectedHeader } = await verifyAsResourceServer(tokens.access_token);
    expect(protectedHeader).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(payload).toMatchObject({ sub: user.id, client_id: client.clientId, scope: 'read:invoices' });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(tokens.scope?.split(' ')).toContain('read:invoices');

    // A new role shows in the next sign-in's token.
    await app.cli('users', 'grant-role', user.email, 'accountant');
    const again = await signInForTokens(app, client, user, { params: { scope: 'openid read:invoices write:invoices', resource: INVOICES, prompt: 'login' } });
    expect((await verifyAsResourceServer(again.tokens.access_token)).payload.scope).toBe('read:invoices write:invoices');
  });

  it('are shown to the person on the consent page, described, before any application gets them', async () => {
    const thirdParty = await registerClient(app); // asks for consent
    const user = await createUser(app);
    await app.cli('users', 'grant-role', user.email, 'auditor');
    const session = new HttpSession();
    const { page } = await openSignIn(app, thirdParty, session, { scope: 'openid read:invoices', resource: INVOICES });
    const consent = await submitLogin(session, app, page, user.email, user.password);
    expect(consent.body).toContain('Act for you at Invoices: See invoices');
  });

  it('give a machine client the permissions its roles hold, and nothing without a role', async () => {
    const machine = await machineClient();
    const ask = () => tokenRequest(app, machine, { grant_type: 'client_credentials', resource: INVOICES, scope: 'read:invoices write:invoices' });
    const none = await ask();
    expect(none.status, JSON.stringify(none.body)).toBe(200);
    expect(none.body.scope).toBeUndefined();
    expect((await app.cli('roles', 'grant-client', 'auditor', machine.clientId)).code).toBe(0);
    const granted = await ask();
    const { payload } = await verifyAsResourceServer(granted.body.access_token);
    expect(payload).toMatchObject({ client_id: machine.clientId, scope: 'read:invoices', aud: INVOICES });
    expect(payload.sub).toBe(machine.clientId);
    await expect(jose.jwtVerify(granted.body.access_token, jwks, { issuer: app.url, audience: 'https://other.example.test' })).rejects.toThrow();
  });

  it('refuse a resource nobody registered, and stay opaque without one', async () => {
    const machine = await machineClient();
    const unknown = await tokenRequest(app, machine, { grant_type: 'client_credentials', resource: 'https://unknown.example.test/api' });
    expect(unknown.body.error, JSON.stringify(unknown)).toBe('invalid_target');
    const plain = await tokenRequest(app, machine, { grant_type: 'client_credentials' });
    expect(plain.body.access_token.split('.')).toHaveLength(1); // opaque, as before
    const user = await createUser(app);
    const { tokens } = await signInForTokens(app, client, user);
    expect(tokens.access_token.split('.')).toHaveLength(1);
  });

  it('keep a permission out of every token once its resource drops it', async () => {
    expect((await app.cli('resources', 'update', INVOICES, '--permission', 'read:invoices')).code).toBe(0);
    expect(JSON.parse((await app.cli('roles', 'permissions', 'accountant', '--json')).stdout).permissions).toEqual([{ resource: INVOICES, permission: 'read:invoices' }]);
    const bad = await app.cli('roles', 'permissions', 'accountant', '--set', `${INVOICES}#delete:invoices`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not one its API resource defines');
  });
});

describe('API resources through the admin API', () => {
  it('are made, given to roles and machine clients, changed and deleted, each answer as documented', async () => {
    const { openAdminApi } = await import('../helpers/admin-api.ts');
    const api = await openAdminApi(app);
    const admin = JSON.parse((await app.cli('api-tokens', 'create', '--name', 'resources', '--scope', 'admin', '--json')).stdout).token as string;
    const REPORTS = 'https://api.example.test/reports';
    const made = await api.call(admin, 'post', '/resources', { identifier: REPORTS, name: 'Reports', permissions: ['read:reports', { name: 'export:reports', description: 'Download CSV' }] });
    expect(made.status).toBe(201);
    expect(made.body.permissions).toEqual([{ name: 'export:reports', description: 'Download CSV' }, { name: 'read:reports', description: '' }]);
    expect((await api.call(admin, 'post', '/resources', { identifier: REPORTS, name: 'Again' })).status).toBe(409);
    expect((await api.call(admin, 'post', '/resources', { identifier: 'not a uri', name: 'Bad' })).status).toBe(400);
    expect((await api.call(admin, 'post', '/resources', { identifier: 'https://x.example.test/#frag', name: 'Bad' })).status).toBe(400);
    expect((await api.call(admin, 'get', '/resources')).body.data.map((r: { identifier: string }) => r.identifier)).toContain(REPORTS);
    expect((await api.call(admin, 'get', `/resources/${made.body.id}`)).body.name).toBe('Reports');

    const role = (await api.call(admin, 'post', '/roles', { name: 'report-reader' })).body;
    const set = await api.call(admin, 'put', `/roles/${role.id}/permissions`, { permissions: [{ resource: REPORTS, permission: 'read:reports' }] });
    expect(set.body.data).toEqual([{ resource: REPORTS, permission: 'read:reports' }]);
    expect((await api.call(admin, 'put', `/roles/${role.id}/permissions`, { permissions: [{ resource: REPORTS, permission: 'nope' }] })).status).toBe(400);
    expect((await api.call(admin, 'get', `/roles/${role.id}/permissions`)).body.data).toHaveLength(1);

    const machine = await machineClient();
    const granted = await api.call(admin, 'put', `/roles/${role.id}/clients/${machine.clientId}`);
    expect(granted.body).toEqual({ roles: ['report-reader'], changed: true });
    const token = await tokenRequest(app, machine, { grant_type: 'client_credentials', resource: REPORTS, scope: 'read:reports export:reports' });
    expect(jose.decodeJwt(token.body.access_token).scope).toBe('read:reports');
    expect((await api.call(admin, 'delete', `/roles/${role.id}/clients/${machine.clientId}`)).body).toEqual({ roles: [], changed: true });

    const renamed = await api.call(admin, 'patch', `/resources/${made.body.id}`, { name: 'Reporting', access_token_ttl: 300 });
    expect(renamed.body).toMatchObject({ name: 'Reporting', access_token_ttl: 300 });
    expect((await api.call(admin, 'patch', `/resources/${made.body.id}`, { access_token_ttl: 5 })).status).toBe(400);
    expect((await api.call(admin, 'delete', `/resources/${made.body.id}`)).status).toBe(204);
    expect((await api.call(admin, 'get', `/roles/${role.id}/permissions`)).body.data).toEqual([]);
    const events = (await app.services.audit.list({ types: ['resource.created', 'resource.updated', 'resource.deleted'], limit: 3 })).events.map((event) => event.type);
    expect(events).toEqual(['resource.deleted', 'resource.updated', 'resource.created']);

    const mine = api.operations.filter((op) => op.template.startsWith('/resources') || /^\/roles\/\{id\}\/(permissions|clients)/.test(op.template));
    const unseen = mine.filter((op) => ![...api.seen].some((key) => key.startsWith(`${op.method} ${op.template} 2`)));
    expect(unseen.map((op) => `${op.method} ${op.template}`)).toEqual([]);
  });
});
