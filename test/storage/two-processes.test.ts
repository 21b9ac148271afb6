// Two Latchkey processes on one Postgres, as behind a load balancer: what one does, the other
// honours (sessions, sign-out, refresh-token rotation, throttles, clients), and one of them dying
// under load leaves the other serving.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { HttpSession, formAction, inputValue } from '../helpers/http-session.ts';
import { authorizationRequest, createUser, registerClient, signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { LISTENER_NAME } from '../../src/db/change-notices.ts';
import { freePort, runCli, startServerProcess } from '../helpers/processes.ts';
import { startApp, TEST_SECRET, type TestApp } from '../helpers/start-app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.ts';

describe.runIf(onPostgres)('two processes on one Postgres', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startApp({ location: database.location });
    b = await startApp({ location: database.location, env: { ISSUER: a.url } }); // one issuer behind a load balancer
    client = await registerClient(a, { skipConsent: true });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  it('honours a sign-out made on one process on the other', async () => {
    const user = await createUser(a);
    const { session, tokens } = await signInForTokens(a, client, user);
    const end = new URL('/session/end', b.url);
    end.searchParams.set('id_token_hint', tokens.id_token);
    const page = await session.follow(end.href, b.url);
    const action = page.body.match(/<form[^>]*action="([^"]+)"/)![1]!;
    await session.submit(new URL(action.replace(/&amp;/g, '&'), b.url).href, { xsrf: inputValue(page.body, 'xsrf')!, logout: 'yes' }, b.url);
    const silent = await session.request(authorizationRequest(a, client, { prompt: 'none' }).url);
    expect(new URL(silent.location!).searchParams.get('error')).toBe('login_required');
  });

  it('refuses on one process a refresh token rotated on the other, and ends the grant', async () => {
    const user = await createUser(a);
    const { tokens } = await signInForTokens(a, client, user, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    const rotated = await tokenRequest(a, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(rotated.status).toBe(200);
    expect((await tokenRequest(b, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).body.error).toBe('invalid_grant');
    expect((await tokenRequest(b, client, { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token })).body.error).toBe('invalid_grant');
  });

  it('shares throttles: wrong passwords on one process count on the other', async () => {
    const user = await createUser(a);
    for (let attempt = 0; attempt < 5; attempt++) {
      const session = new HttpSession();
      const target = attempt % 2 ? a : b;
      const page = await session.follow(authorizationRequest(target, client).url, target.url);
      const wrong = await session.request(new URL(formAction(page.body, '/login')!, target.url).href, { form: { _csrf: inputValue(page.body, '_csrf')!, email: user.email, password: 'not it' } });
      expect(wrong.status).toBe(401);
    }
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(b, client).url, b.url);
    const blocked = await session.request(new URL(formAction(page.body, '/login')!, b.url).href, { form: { _csrf: inputValue(page.body, '_csrf')!, email: user.email, password: user.password } });
    expect(blocked.status).toBe(429);
  });

  /** Until every process refuses the client (a cached copy would still serve it for a minute). */
  async function refusedEverywhereWithin(ms: number, machine: { clientId: string; clientSecret: string }) {
    const deadline = Date.now() + ms;
    for (;;) {
      const statuses = await Promise.all([a, b].map(async (process) => (await tokenRequest(process, machine, { grant_type: 'client_credentials' })).status));
      if (statuses.every((status) => status === 401) || Date.now() > deadline) return statuses;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function clientFromCli(env: Record<string, string>) {
    const created = await runCli(['clients', 'create', '--name', 'From the CLI', '--grant-type', 'client_credentials', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const made = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    return { clientId: made.client_id, clientSecret: made.client_secret };
  }

  it('serves a client made by the CLI on both at once, and honours its deletion on both at once (LISTEN/NOTIFY)', async () => {
    const env = { DATABASE_URL: database.url!, LATCHKEY_SECRET: TEST_SECRET, ISSUER: a.url };
    const machine = await clientFromCli(env);
    for (const process of [a, b]) expect((await tokenRequest(process, machine, { grant_type: 'client_credentials' })).status).toBe(200);

    expect((await runCli(['clients', 'delete', machine.clientId], env)).code).toBe(0);
    expect(await refusedEverywhereWithin(1000, machine)).toEqual([401, 401]);
  });

  it('listens again after its listening connection is cut, and then honours changes at once', async () => {
    const env = { DATABASE_URL: database.url!, LATCHKEY_SECRET: TEST_SECRET, ISSUER: a.url };
    const listeners = `from pg_stat_activity where application_name = '${LISTENER_NAME}' and datname = current_database()`;
    const admin = a.services.db.knex;
    expect(Number((await admin.raw(`select count(*) as n ${listeners}`)).rows[0].n)).toBe(2);
    await admin.raw(`select pg_terminate_backend(pid) ${listeners}`);
    for (let waited = 0; waited < 5000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (a.services.db.changes.live && b.services.db.changes.live) break;
    }
    expect([a.services.db.changes.live, b.services.db.changes.live]).toEqual([true, true]);

    const machine = await clientFromCli(env);
    for (const process of [a, b]) expect((await tokenRequest(process, machine, { grant_type: 'client_credentials' })).status).toBe(200);
    expect((await runCli(['clients', 'rotate-secret', machine.clientId], env)).code).toBe(0);
    expect(await refusedEverywhereWithin(1000, machine)).toEqual([401, 401]);
  });

  it('keeps serving on one process when the other is killed under load', async () => {
    const env = { DATABASE_URL: database.url!, LATCHKEY_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' };
    const [first, second] = await Promise.all([startServerProcess(env, await freePort()), startServerProcess(env, await freePort())]);
    try {
      const user = await createUser(a);
      let served = 0;
      let stop = false;
      const load = (url: string) => Promise.all(Array.from({ length: 8 }, async () => {
        while (!stop) {
          const response = await fetch(`${url}/token`, {
            method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
            body: 'grant_type=client_credentials',
          }).catch(() => undefined);
          if (response?.status === 200) served++;
        }
      }));
      const running = load(second.url);
      const dying = load(first.url).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
      first.child.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const servedBefore = served;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      stop = true;
      await Promise.all([running, dying]);
      expect(served).toBeGreaterThan(servedBefore); // the survivor went on answering after the kill
      // A person signs in on the survivor, whatever the other left behind.
      const { tokens } = await signInForTokens({ ...a, url: second.url }, client, user);
      expect(tokens.access_token).toBeTruthy();
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });
});
