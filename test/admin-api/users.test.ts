import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { validate as validateOpenApi } from './openapi-validator.ts';
import { openAdminApi } from '../helpers/admin-api.ts';
import { startAppWithMail } from '../helpers/hosted-pages.ts';
import { HttpSession, inputValue } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { authorize, createUser, PASSWORD, registerClient, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;
let api: Awaited<ReturnType<typeof openAdminApi>>;
let admin: string;
let reader: string;
let scimOnly: string;

async function makeToken(...scopes: string[]) {
  const made = await app.cli('api-tokens', 'create', '--name', `test ${scopes.join(' ')}`, ...scopes.flatMap((scope) => ['--scope', scope]), '--json');
  expect(made.code, made.stderr).toBe(0);
  return JSON.parse(made.stdout) as { id: string; token: string; scopes: string[]; expires_at: string };
}

beforeAll(async () => {
  ({ app, sink, client, close } = await startAppWithMail());
  api = await openAdminApi(app);
  admin = (await makeToken('admin')).token;
  reader = (await makeToken('admin:read')).token;
  scimOnly = (await makeToken('scim')).token;
});
afterAll(() => close?.());

describe('the admin API document', () => {
  it('is a valid OpenAPI 3.1 document, open to anyone', async () => {
    expect(api.document).toMatchObject({ openapi: '3.1.0', servers: [{ url: `${app.url}/api/admin/v1` }] });
    const result = await validateOpenApi(api.document);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });
});

describe('who may call the admin API', () => {
  it('answers 401 with WWW-Authenticate and a problem without a token, or with a bad one', async () => {
    const none = await api.call(undefined, 'get', '/users');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="${app.url}"`);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body).toMatchObject({ type: 'urn:latchkey:problem:unauthorized', status: 401, code: 'unauthorized' });
    const bad = await api.call(`lkat_${'x'.repeat(43)}`, 'get', '/users');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('lets admin:read read and not change, and refuses a scim token (403 insufficient_scope)', async () => {
    expect((await api.call(reader, 'get', '/users')).status).toBe(200);
    const write = await api.call(reader, 'post', '/users', { email: 'nobody@example.test' });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('insufficient_scope');
    expect(write.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect((await api.call(scimOnly, 'get', '/users')).status).toBe(403);
    expect(await app.services.db.knex('accounts').where({ email: 'nobody@example.test' }).first()).toBeUndefined();
  });

  it('refuses a revoked token, and shows API tokens in introspection to confidential clients only', async () => {
    const made = await makeToken('admin:read');
    const seen = await tokenRequest(app, client, { token: made.token }, '/token/introspection');
    expect(seen.body).toMatchObject({ active: true, scope: 'admin:read', token_type: 'Bearer', jti: made.id });
    const spa = await registerClient(app, { isPublic: true });
    expect((await tokenRequest(app, spa, { token: made.token }, '/token/introspection')).body).toEqual({ active: false });

    expect((await app.cli('api-tokens', 'revoke', made.id)).code).toBe(0);
    expect((await api.call(made.token, 'get', '/users')).status).toBe(401);
    expect((await tokenRequest(app, client, { token: made.token }, '/token/introspection')).body).toEqual({ active: false });
    const listed = JSON.parse((await app.cli('api-tokens', 'list', '--json')).stdout).api_tokens;
    expect(listed.find((token: { id: string }) => token.id === made.id)).toMatchObject({ state: 'revoked' });
    expect(JSON.stringify(listed)).not.toContain(made.token);
    expect(JSON.stringify(await app.services.db.knex('api_tokens').select())).not.toContain(made.token.slice(5)); // only a keyed hash is kept
  });

  it('accepts a machine client\'s client_credentials token with the scope its registration lists, and no more', async () => {
    const made = await app.cli('clients', 'create', '--name', 'Directory sync', '--grant-type', 'client_credentials', '--scope', 'admin:read', '--json');
    expect(made.code, made.stderr).toBe(0);
    const machine = JSON.parse(made.stdout);
    const rp = { clientId: machine.client_id, clientSecret: machine.client_secret };
    const token = await tokenRequest(app, rp, { grant_type: 'client_credentials', scope: 'admin:read' });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect((await api.call(token.body.access_token, 'get', '/users')).status).toBe(200);
    expect((await api.call(token.body.access_token, 'delete', `/users/${(await createUser(app)).id}/sessions`)).status).toBe(403);
    // Asking for more than it was given, or for a scope of no API, is refused.
    expect((await tokenRequest(app, rp, { grant_type: 'client_credentials', scope: 'admin' })).body.error).toBe('invalid_scope');
    expect((await tokenRequest(app, rp, { grant_type: 'client_credentials', scope: 'anything' })).body.error).toBe('invalid_scope');
    // An ordinary client cannot get an API scope at all, nor ask for one when a person signs in.
    expect((await tokenRequest(app, client, { grant_type: 'client_credentials', scope: 'admin' })).body.error).toBe('invalid_scope');
    const refused = await new HttpSession().follow(`${app.url}/auth?client_id=${client.clientId}&response_type=code&redirect_uri=http://localhost:9/cb&scope=openid%20admin&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, app.url);
    expect(refused.location ?? '').toContain('error=invalid_scope');
    // A machine client cannot also sign people in.
    const mixed = await app.cli('clients', 'create', '--name', 'Mixed', '--redirect-uri', 'https://mixed.example/cb', '--grant-type', 'authorization_code', '--grant-type', 'client_credentials', '--scope', 'admin');
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('machine clients');
  });

  it('limits the calls of one token per minute', async () => {
    const { startApp } = await import('../helpers/start-app.ts');
    const limited = await startApp({ env: { API_RATE_LIMIT: '3' } });
    try {
      const token = JSON.parse((await limited.cli('api-tokens', 'create', '--name', 'busy', '--scope', 'admin', '--json')).stdout).token;
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${limited.url}/api/admin/v1/users`, { headers: { authorization: `Bearer ${token}` } });
        statuses.push(response.status);
        if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('people through the admin API', () => {
  it('makes an account and mails an invitation whose link sets the password', async () => {
    const email = `invited.${Date.now()}@example.test`;
    const created = await api.call(admin, 'post', '/users', { email, name: 'Ivy Invited' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${app.url}/api/admin/v1/users/${created.body.id}`);
    expect(created.body).toMatchObject({ email, name: 'Ivy Invited', email_verified: false, has_password: false, signup: { method: 'admin' } });
    const mail = await sink.next(email);
    expect(mail.subject).toContain('account is ready');
    const link = /https?:\/\/\S+\/password\/reset\?token=[\w-]+/.exec(mail.text ?? '')![0];
    const session = new HttpSession();
    const page = await session.follow(link, app.url);
    expect(page.status).toBe(200);
    const done = await session.submit(new URL('/password/reset', app.url).href, { _csrf: inputValue(page.body, '_csrf')!, token: inputValue(page.body, 'token')!, password: 'a brand new passphrase 42' }, app.url);
    expect(done.status).toBeLessThan(400);
    const after = await api.call(reader, 'get', `/users/${created.body.id}`);
    expect(after.body).toMatchObject({ has_password: true, email_verified: true });
    const events = await api.call(reader, 'get', `/audit-events?subject=${created.body.id}`);
    expect(events.body.data.map((event: { type: string }) => event.type)).toEqual(['password.reset', 'email.verified', 'account.created']);
    expect(events.body.data[2].actor.type).toBe('api_token');
    expect(after.body.name).toBe('Ivy Invited'); // what the admin set stays
  });

  it('refuses a bad body clearly, with each mistake, and a taken address with 409, changing nothing', async () => {
    const count = async () => Number((await app.services.db.knex('accounts').count({ n: '*' }))[0]!.n);
    const user = await createUser(app);
    const before = await count();
    const bad = await api.call(admin, 'post', '/users', { email: 42, surprise: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'body', path: 'email' })]));
    const weak = await api.call(admin, 'post', '/users', { email: `weak.${Date.now()}@example.test`, password: 'short' });
    expect(weak.status).toBe(400);
    const taken = await api.call(admin, 'post', '/users', { email: user.email.toUpperCase(), password: PASSWORD });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('email_taken');
    const notJson = await fetch(`${app.url}/api/admin/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"email":' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).code).toBe('malformed_body');
    expect(await count()).toBe(before);
  });

  it('finds people by prefix and filters, a page at a time', async () => {
    const tag = `pager${Date.now()}`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createUser(app, { email: `${tag}.${i}@example.test` }));
    await app.services.accounts.setDisabled(made[0]!.id, true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const listed = await api.call(reader, 'get', `/users?query=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(listed.status).toBe(200);
      seen.push(...listed.body.data.map((account: { email: string }) => account.email));
      cursor = listed.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(made.map((user) => user.email).reverse());
    const disabled = await api.call(reader, 'get', `/users?query=${tag.toUpperCase()}&disabled=true`);
    expect(disabled.body.data.map((account: { id: string }) => account.id)).toEqual([made[0]!.id]);
    expect((await api.call(reader, 'get', `/users?query=${tag}&has_second_factor=true`)).body.data).toEqual([]);
    expect((await api.call(reader, 'get', '/users?query=%25')).body.data).toEqual([]); // % is a character, not a wildcard
    expect((await api.call(reader, 'get', '/users?cursor=nonsense')).status).toBe(400);
    expect((await api.call(reader, 'get', '/users?limit=5000')).status).toBe(400);
  });

  it('shows one person whole: factors without secrets, sessions, applications', async () => {
    const user = await createUser(app);
    await authorize(app, client, user);
    const shown = await api.call(reader, 'get', `/users/${user.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id: user.id, email: user.email, has_second_factor: false,
      second_factors: { totp: null, passkeys: [], recovery_codes_left: 0 },
      applications: [{ client_id: client.clientId, client_name: 'Test RP', scopes: ['email', 'openid', 'profile'] }],
    });
    expect(shown.body.sessions).toHaveLength(1);
    expect(shown.body.sessions[0]).toMatchObject({ amr: ['pwd'], applications: [client.clientId] });
    expect(Date.parse(shown.body.sessions[0].last_active_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(shown.body.last_sign_in_at).not.toBeNull();
    expect(JSON.stringify(shown.body)).not.toMatch(/password_hash|argon2/);
    expect((await api.call(reader, 'get', '/users/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api.call(reader, 'get', '/users/not-an-id')).status).toBe(400);
  });

  it('changes a profile and address: the new address is unverified and taken ones are refused', async () => {
    const user = await createUser(app);
    const other = await createUser(app);
    const renamed = await api.call(admin, 'patch', `/users/${user.id}`, { name: 'New Name', given_name: null });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'New Name', given_name: null, email_verified: true });
    const moved = await api.call(admin, 'patch', `/users/${user.id}`, { email: `Moved.${Date.now()}@Example.test` });
    expect(moved.body.email_verified).toBe(false);
    const clash = await api.call(admin, 'patch', `/users/${user.id}`, { email: other.email.toUpperCase() });
    expect(clash.status).toBe(409);
    expect((await api.call(admin, 'patch', `/users/${user.id}`, { name: 'x'.repeat(201) })).status).toBe(400);
    const verified = await api.call(admin, 'post', `/users/${user.id}/verify-email`);
    expect(verified.body.email_verified).toBe(true);
    const types = (await app.services.audit.list({ subjectId: user.id, limit: 20 })).events.map((event) => event.type);
    expect(types).toEqual(['account.updated', 'email.verified', 'account.updated', 'email.changed', 'account.updated', 'account.created']);
  });

  it('removes the second factors of a person who lost them: signed out everywhere, owner mailed, audited', async () => {
    const user = await createUser(app);
    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
    await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
    await sink.next(user.email); // the notice of the factor added
    const before = await api.call(reader, 'get', `/users/${user.id}`);
    expect(before.body.second_factors.totp).not.toBeNull();
    expect(before.body.second_factors.recovery_codes_left).toBe(10);

    const removed = await api.call(admin, 'delete', `/users/${user.id}/second-factors`);
    expect(removed.body).toEqual({ removed: 1 });
    const after = await api.call(reader, 'get', `/users/${user.id}`);
    expect(after.body).toMatchObject({ has_second_factor: false, second_factors: { totp: null, recovery_codes_left: 0 } });
    expect((await sink.next(user.email)).subject).toContain('Two-step verification was removed');
    const [event] = (await app.services.audit.list({ subjectId: user.id, types: ['factor.removed'], limit: 1 })).events;
    expect(event).toMatchObject({ actor: { type: 'api_token' }, details: { factor: 'all', reason: 'admin' } });
    expect((await api.call(admin, 'delete', `/users/${user.id}/second-factors`)).body).toEqual({ removed: 0 });
  });

  it('signs a person out everywhere, disables, enables, sends a reset and deletes', async () => {
    const user = await createUser(app);
    const { tokens } = await import('../helpers/oidc-flow.ts').then(({ signInForTokens }) => signInForTokens(app, client, user));
    const ended = await api.call(admin, 'delete', `/users/${user.id}/sessions`);
    expect(ended.body.ended).toBeGreaterThan(0);
    expect((await tokenRequest(app, client, { token: tokens.access_token }, '/token/introspection')).body.active).toBe(false);

    expect((await api.call(admin, 'post', `/users/${user.id}/disable`)).body.disabled).toBe(true);
    expect((await api.call(admin, 'post', `/users/${user.id}/password-reset`)).status).toBe(409);
    expect((await api.call(admin, 'post', `/users/${user.id}/enable`)).body.disabled).toBe(false);
    expect((await api.call(admin, 'post', `/users/${user.id}/password-reset`)).status).toBe(202);
    expect((await sink.next(user.email)).subject).toContain('Reset your');

    expect((await api.call(reader, 'get', `/users/${user.id}/export`)).status).toBe(200); // the rest of it: user-data.test.ts
    expect((await api.call(admin, 'delete', `/users/${user.id}`)).status).toBe(204);
    expect((await api.call(reader, 'get', `/users/${user.id}`)).status).toBe(404);
    expect((await api.call(admin, 'delete', `/users/${user.id}`)).status).toBe(404);
    // Its events are a pseudonym's now (user-data.test.ts): none names the account.
    expect((await app.services.audit.list({ subjectId: user.id, limit: 1 })).events).toEqual([]);
    const [deleted] = (await app.services.audit.list({ types: ['account.deleted'], limit: 1 })).events;
    expect(deleted).toMatchObject({ actor: { type: 'api_token' }, details: { by: 'admin' } });
  });

  it('lists audit events with filters, refusing unknown types', async () => {
    const listed = await api.call(reader, 'get', '/audit-events?type=account.created,account.deleted&limit=3');
    expect(listed.status).toBe(200);
    expect(listed.body.data.length).toBeLessThanOrEqual(3);
    for (const event of listed.body.data) expect(['account.created', 'account.deleted']).toContain(event.type);
    const next = await api.call(reader, 'get', `/audit-events?type=account.created&cursor=${listed.body.next_cursor}`);
    expect(next.status).toBe(200);
    expect((await api.call(reader, 'get', '/audit-events?type=made.up')).status).toBe(400);
    expect((await api.call(reader, 'get', '/audit-events?since=yesterday')).status).toBe(400);
  });
});

describe('the document and the routes', () => {
  it('had every people and audit operation answered with a documented, valid body in these tests', () => {
    const unseen = api.operations.filter((op) => /^\/(users|audit)/.test(op.template) && op.template !== '/users/import').filter((op) => ![...api.seen].some((key) => key.startsWith(`${op.method} ${op.template} 2`)));
    expect(unseen.map((op) => `${op.method} ${op.template}`)).toEqual([]);
  });
});
