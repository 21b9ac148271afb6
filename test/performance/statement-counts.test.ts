// How many SQL statements the hot paths take, counted (not timed), so that a change that adds
// round trips shows. Reads a process serves from memory for a second (clients, what it last saw
// of a throttle's block) are left out of the count: whether they happen depends on the clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '../helpers/http-session.ts';
import { authorize, createUser, redeemCode, registerClient, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { insideRequest } from '../../src/oidc/request-memo.ts';

let app: TestApp;
let client: TestClient;
const statements: string[] = [];
const cachedRead = (query: { sql: string; bindings?: unknown[] }) =>
  /from "clients"/.test(query.sql) || (/from "throttles" where key = any/.test(query.sql) && (query.bindings?.[0] as unknown[]).length === 1);

beforeAll(async () => {
  app = await startApp();
  client = await registerClient(app, { skipConsent: true });
  // Background work (mail and logout outboxes, key refresh) may query meanwhile: only requests' statements count.
  app.services.db.onStatement((query) => { if (insideRequest() && !cachedRead(query)) statements.push(query.sql); });
});
afterAll(() => app?.close());

async function counted(work: () => Promise<unknown>): Promise<number> {
  statements.length = 0;
  await work();
  return statements.length;
}

describe('SQL statements per request', () => {
  it('takes at most 15 for a whole password sign-in: authorize, sign-in page, password, code, token', async () => {
    const user = await createUser(app);
    await authorize(app, client, user); // a first sign-in: known device and throttle rows exist from here on
    const count = await counted(async () => {
      const flow = await authorize(app, client, user, { session: new HttpSession() });
      expect((await redeemCode(app, client, flow.code!, flow.request.verifier)).status).toBe(200);
    });
    expect(count, statements.join('\n')).toBeLessThanOrEqual(15);
  });

  it('takes one for a client_credentials token, and one to introspect it', async () => {
    let token = '';
    expect(await counted(async () => { token = (await tokenRequest(app, client, { grant_type: 'client_credentials' })).body.access_token; }), statements.join('\n')).toBe(1);
    expect(await counted(async () => expect((await tokenRequest(app, client, { token }, '/token/introspection')).body.active).toBe(true)), statements.join('\n')).toBe(1);
  });
});
