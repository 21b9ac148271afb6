import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '../helpers/http-session.ts';
import { REDIRECT_URI, authorizationRequest, authorize, createUser, redeemCode, registerClient, signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { createPersistentTestDatabase, createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.ts';

describe('persistence across a restart', () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createPersistentTestDatabase(); });
  afterAll(() => database?.drop());

  it('keeps users, clients, keys, sessions and tokens', async () => {
    const first = await startApp({ location: database.location });
    const client = await registerClient(first);
    const user = await createUser(first);
    const session = new HttpSession();
    const { tokens } = await signInForTokens(first, client, user, { session, params: { scope: 'openid offline_access', prompt: 'consent' } });
    const jwksBefore = await (await fetch(`${first.url}/jwks`)).json();
    await first.close();

    // same port is not needed: the database is what carries everything over
    const second = await startApp({ location: database.location, env: { ISSUER: first.url } });
    try {
      expect(await (await fetch(`${second.url}/jwks`)).json()).toEqual(jwksBefore);
      const refreshed = await tokenRequest(second, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
      const info = await tokenRequest(second, client, { token: refreshed.body.access_token }, '/token/introspection');
      expect(info.body).toMatchObject({ active: true, sub: user.id });
      // the browser session survives too: a silent authorization succeeds
      const silent = await session.request(authorizationRequest(second, client, { prompt: 'none', scope: 'openid' }).url);
      expect(new URL(silent.location!).searchParams.get('code'), silent.location).toBeTruthy();
    } finally {
      await second.close();
    }
  });
});

describe('sweeping expired records', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startApp(); });
  afterAll(() => app?.close());

  it('treats an expired record as gone and deletes it at the next sweep', async () => {
    const payloads = app.services.queries.oidcPayloads;
    await payloads.upsertPayloads([
      { model: 'AccessToken', id: 'expired-token', payload: { jti: 'expired-token' }, expiresInSeconds: 0, lookups: {} },
      { model: 'AccessToken', id: 'live-token', payload: { jti: 'live-token' }, expiresInSeconds: 3600, lookups: {} },
    ]);
    expect(await payloads.maybeFindPayload('AccessToken', 'expired-token')).toBeUndefined();
    const swept = await app.services.housekeeping.sweep();
    expect(swept.payloads).toBeGreaterThanOrEqual(1);
    const left = await app.services.db.knex('oidc_payloads').whereIn('id', ['expired-token', 'live-token']).pluck('id');
    expect(left).toEqual(['live-token']);
  });
});

describe.runIf(onPostgres)('several processes on one Postgres', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startApp({ location: database.location });
    b = await startApp({ location: database.location, env: { ISSUER: a.url } }); // one issuer behind a load balancer
    client = await registerClient(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  it('serves a session and tokens made by one process from the other', async () => {
    const user = await createUser(b);
    const session = new HttpSession();
    const { code, request } = await authorize(a, client, user, { session, params: { scope: 'openid email offline_access', prompt: 'consent' } });
    const tokens = await redeemCode(b, client, code!, request.verifier);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const userinfo = await (await fetch(`${b.url}/me`, { headers: { authorization: `Bearer ${tokens.body.access_token}` } })).json();
    expect(userinfo.email).toBe(user.email);
    const refreshed = await tokenRequest(a, client, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(refreshed.status).toBe(200);

    const silent = await session.request(authorizationRequest(b, client, { prompt: 'none', scope: 'openid email' }).url);
    const location = new URL(silent.location!);
    expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.get('iss')).toBe(a.url);
  });

  it('lets exactly one process win a code redeemed at both at once', async () => {
    const user = await createUser(a);
    const { code, request } = await authorize(a, client, user);
    const results = await Promise.all([redeemCode(a, client, code!, request.verifier), redeemCode(b, client, code!, request.verifier)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it('picks up a key rotated by another process', async () => {
    const rotated = await a.cli('keys', 'rotate', '--activate-in', '0', '--json');
    const { kids } = JSON.parse(rotated.stdout) as { kids: string[] };
    expect(await b.services.provider.refresh()).toBe(true); // what its timer does every few seconds
    const published = ((await (await fetch(`${b.url}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
    expect(published).toEqual(expect.arrayContaining(kids));
  });
});
