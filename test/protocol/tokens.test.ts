import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, registerClient, signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const offline = { scope: 'openid email offline_access', prompt: 'consent' };

describe('tokens', () => {
  let app: TestApp;
  let client: TestClient;
  let publicClient: TestClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  const introspect = async (token: string, as: TestClient = client) =>
    (await tokenRequest(app, as, { token }, '/token/introspection')).body;
  const refresh = (refreshToken: string, as: TestClient = client) =>
    tokenRequest(app, as, { grant_type: 'refresh_token', refresh_token: refreshToken });

  beforeAll(async () => {
    app = await startApp();
    client = await registerClient(app);
    publicClient = await registerClient(app, { isPublic: true });
    user = await createUser(app);
  });
  afterAll(() => app?.close());

  it('issues a refresh token only for offline_access, and rotates it at every use', async () => {
    const { tokens } = await signInForTokens(app, client, user, { params: offline });
    expect(tokens.refresh_token).toBeTruthy();
    const next = await refresh(tokens.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).toBeTruthy();
    expect(next.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.body.access_token).not.toBe(tokens.access_token);
    expect((await introspect(next.body.access_token)).sub).toBe(user.id);
  });

  it('revokes the whole grant when a used refresh token is presented again', async () => {
    const { tokens } = await signInForTokens(app, publicClient, user, { params: offline });
    const next = await refresh(tokens.refresh_token, publicClient);
    expect(next.status).toBe(200);
    const replay = await refresh(tokens.refresh_token, publicClient);
    expect(replay.body.error).toBe('invalid_grant');
    const after = await refresh(next.body.refresh_token, publicClient);
    expect(after.body.error).toBe('invalid_grant');
    expect((await introspect(next.body.access_token, publicClient)).active).toBe(false);
  });

  it('lets exactly one of two concurrent uses of a refresh token succeed', async () => {
    const { tokens } = await signInForTokens(app, client, user, { params: offline });
    const results = await Promise.all([refresh(tokens.refresh_token), refresh(tokens.refresh_token)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it('issues client_credentials tokens that introspect as active and carry no user', async () => {
    const result = await tokenRequest(app, client, { grant_type: 'client_credentials' });
    expect(result.status).toBe(200);
    const info = await introspect(result.body.access_token);
    expect(info).toMatchObject({ active: true, client_id: client.clientId });
    expect(info.sub).toBeUndefined();
  });

  it('refuses a wrong client secret without saying more', async () => {
    const result = await tokenRequest(app, { ...client, clientSecret: 'wrong' }, { grant_type: 'client_credentials' });
    expect(result.status).toBe(401);
    expect(result.body.error).toBe('invalid_client');
  });

  it('revokes access and refresh tokens; revoking a refresh token ends its grant', async () => {
    const { tokens } = await signInForTokens(app, client, user, { params: offline });
    expect((await introspect(tokens.access_token)).active).toBe(true);
    expect((await tokenRequest(app, client, { token: tokens.access_token }, '/token/revocation')).status).toBe(200);
    expect((await introspect(tokens.access_token)).active).toBe(false);

    const second = await signInForTokens(app, client, user, { params: offline });
    expect((await tokenRequest(app, client, { token: second.tokens.refresh_token, token_type_hint: 'refresh_token' }, '/token/revocation')).status).toBe(200);
    expect((await refresh(second.tokens.refresh_token)).body.error).toBe('invalid_grant');
    expect((await introspect(second.tokens.access_token)).active).toBe(false);
    const revoked = (await app.services.audit.list({ subjectId: user.id, types: ['token.revoked'], limit: 5 })).events;
    expect(revoked.map((event) => [event.details.kind, event.client_id, event.actor.type])).toEqual([
      ['RefreshToken', client.clientId, 'client'], ['AccessToken', client.clientId, 'client'],
    ]);
  });

  it('does not let a public client introspect another client\'s token', async () => {
    const { tokens } = await signInForTokens(app, client, user);
    const info = await introspect(tokens.access_token, publicClient);
    expect(info.active).toBe(false);
  });

  it('rejects userinfo with a revoked or made-up access token', async () => {
    const made = await fetch(`${app.url}/me`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(made.status).toBe(401);
    expect(made.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('revokes every token of a client when the client is deleted', async () => {
    const doomed = await registerClient(app, { name: 'Doomed' });
    const machine = await tokenRequest(app, doomed, { grant_type: 'client_credentials' });
    const { tokens } = await signInForTokens(app, doomed, user);
    expect((await app.cli('clients', 'delete', doomed.clientId)).code).toBe(0);
    expect((await introspect(machine.body.access_token)).active).toBe(false);
    const userToken = await tokenRequest(app, client, { token: tokens.access_token }, '/token/introspection');
    expect(userToken.status).toBe(200);
    expect(userToken.body.active).toBe(false);
    expect((await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);
  });

  it('stores tokens only as digests: the database holds no usable token', async () => {
    const { tokens, session } = await signInForTokens(app, client, user, { params: offline });
    const rows = await app.services.db.knex('oidc_payloads').select('id', app.services.db.knex.raw('payload::text as payload'));
    const everything = JSON.stringify(rows);
    const sessionCookie = session.cookie('lk_session')!.value;
    for (const value of [tokens.access_token, tokens.refresh_token, sessionCookie]) expect(everything).not.toContain(value);
  });

  it('stops refresh tokens and userinfo of an account once it is disabled', async () => {
    const person = await createUser(app);
    const { tokens } = await signInForTokens(app, client, person, { params: offline });
    expect((await app.cli('users', 'disable', person.email)).code).toBe(0);
    expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
    expect((await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);
  });
});
