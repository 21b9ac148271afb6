import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { makeApiToken, openAdminApi } from '../helpers/admin-api.ts';
import { createUser, registerClient, signInForTokens, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let api: Awaited<ReturnType<typeof openAdminApi>>;
let admin: string;
let reader: string;
let client: TestClient;

beforeAll(async () => {
  app = await startApp();
  api = await openAdminApi(app);
  admin = await makeApiToken(app, 'admin');
  reader = await makeApiToken(app, 'admin:read');
  client = await registerClient(app);
});
afterAll(() => app?.close());

const idTokenOf = async (user: { email: string; password: string }, scope = 'openid roles') =>
  jose.decodeJwt((await signInForTokens(app, client, user, { params: { scope } })).tokens.id_token);

describe('roles', () => {
  it('are made, given and shown to relying parties in the roles claim (scope roles), and userinfo', async () => {
    const role = await api.call(admin, 'post', '/roles', { name: 'editor', description: 'Edits articles' });
    expect(role.status).toBe(201);
    expect(role.body).toMatchObject({ name: 'editor', description: 'Edits articles', is_default: false, built_in: false, holders: 0 });
    expect((await api.call(reader, 'get', `/roles/${role.body.id}`)).body).toEqual(role.body);
    expect((await api.call(admin, 'post', '/roles', { name: 'EDITOR' })).status).toBe(409);
    expect((await api.call(admin, 'post', '/roles', { name: ' bad\u0000name' })).status).toBe(400);

    const user = await createUser(app);
    expect((await api.call(admin, 'put', `/roles/${role.body.id}/members/${user.id}`)).body).toEqual({ changed: true });
    expect((await api.call(admin, 'put', `/roles/${role.body.id}/members/${user.id}`)).body).toEqual({ changed: false });
    expect((await api.call(reader, 'get', `/users?role=editor`)).body.data.map((account: { id: string }) => account.id)).toEqual([user.id]);

    const claims = await idTokenOf(user);
    expect(claims.roles).toEqual(['editor']);
    const { tokens } = await signInForTokens(app, client, user, { params: { scope: 'openid roles' } });
    const userinfo = await (await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
    expect(userinfo.roles).toEqual(['editor']);
    expect((await idTokenOf(user, 'openid')).roles).toBeUndefined(); // only with scope roles
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json();
    expect(discovery.scopes_supported).toContain('roles');
    expect(discovery.claims_supported).toContain('roles');
  });

  it('carry a new name to everyone who holds them, and leave them when deleted', async () => {
    const role = (await api.call(admin, 'post', '/roles', { name: 'writer' })).body;
    const users = [await createUser(app), await createUser(app), await createUser(app)];
    for (const user of users) await api.call(admin, 'put', `/roles/${role.id}/members/${user.id}`);
    const members = [];
    let cursor: string | null = null;
    do {
      const page = await api.call(reader, 'get', `/roles/${role.id}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      members.push(...page.body.data.map((member: { id: string }) => member.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(members.sort()).toEqual(users.map((user) => user.id).sort());

    const renamed = await api.call(admin, 'patch', `/roles/${role.id}`, { name: 'author' });
    expect(renamed.body).toMatchObject({ name: 'author', holders: 3 });
    expect((await idTokenOf(users[0]!)).roles).toEqual(['author']);
    expect((await api.call(admin, 'delete', `/roles/${role.id}/members/${users[1]!.id}`)).body).toEqual({ changed: true });
    expect((await api.call(admin, 'delete', `/roles/${role.id}`)).status).toBe(204);
    expect((await api.call(reader, 'get', `/users/${users[0]!.id}`)).body.roles).toEqual([]);
    const types = (await app.services.audit.list({ subjectId: users[1]!.id, limit: 5 })).events.map((event) => event.type);
    expect(types).toEqual(['role.revoked', 'role.granted', 'account.created']);
  });

  it('given by default reach every new account', async () => {
    const role = (await api.call(admin, 'post', '/roles', { name: 'member', is_default: true })).body;
    const made = await api.call(admin, 'post', '/users', { email: `default.${Date.now()}@example.test`, password: 'plenty long passphrase 7' });
    expect(made.body.roles).toEqual(['member']);
    const admined = await api.call(admin, 'post', '/users', { email: `boss.${Date.now()}@example.test`, password: 'plenty long passphrase 7', admin: true });
    expect(admined.body.roles).toEqual(['admin', 'member']);
    await api.call(admin, 'patch', `/roles/${role.id}`, { is_default: false });
  });

  it('keep the built-in admin role whole', async () => {
    const [adminRole] = (await api.call(reader, 'get', '/roles?name=ADMIN')).body.data;
    expect(adminRole).toMatchObject({ name: 'admin', built_in: true });
    expect((await api.call(admin, 'delete', `/roles/${adminRole.id}`)).status).toBe(409);
    expect((await api.call(admin, 'patch', `/roles/${adminRole.id}`, { name: 'boss' })).status).toBe(409);
    expect((await api.call(admin, 'patch', `/roles/${adminRole.id}`, { is_default: true })).status).toBe(409);
    expect((await api.call(reader, 'get', '/roles/00000000-0000-4000-8000-0000000000ff')).status).toBe(404);
    expect((await api.call(admin, 'put', `/roles/${adminRole.id}/members/00000000-0000-4000-8000-0000000000ff`)).status).toBe(404);
  });

  it('are the same from the CLI', async () => {
    expect((await app.cli('roles', 'create', '--name', 'auditor', '--description', 'Reads the log')).code).toBe(0);
    const user = await createUser(app);
    const granted = await app.cli('users', 'grant-role', user.email, 'auditor');
    expect(granted.stdout).toContain('now holds the role auditor');
    expect((await app.cli('users', 'grant-admin', user.email)).stdout).toContain('now holds the role admin');
    expect(JSON.parse((await app.cli('roles', 'members', 'auditor', '--json')).stdout).members).toEqual([{ id: user.id, email: user.email }]);
    expect((await app.cli('roles', 'list')).stdout).toMatch(/auditor\s+1\s+no\s+Reads the log/);
    expect((await app.cli('roles', 'delete', 'admin')).code).toBe(1);
    expect((await app.cli('users', 'grant-role', user.email, 'no-such-role')).code).toBe(1);
  });
});

describe('the document and the routes', () => {
  it('had every role operation answered with a documented, valid body', () => {
    const mine = api.operations.filter((op) => op.template.startsWith('/roles') && !/\/(permissions|clients)/.test(op.template)); // those: resources tests
    const unseen = mine.filter((op) => ![...api.seen].some((key) => key.startsWith(`${op.method} ${op.template} 2`)));
    expect(unseen.map((op) => `${op.method} ${op.template}`)).toEqual([]);
  });
});
