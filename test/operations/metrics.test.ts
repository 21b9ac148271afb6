// Prometheus metrics on a listener of their own: requests by route, sign-ins by method and
// result, tokens by grant type, throttle blocks, the outbox, the pool and the process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsListener } from '../../src/routes/metrics-listener.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { authorize, authorizationRequest, createUser, redeemCode, registerClient, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let listener: Awaited<ReturnType<typeof startMetricsListener>>;
beforeAll(async () => {
  app = await startApp({ env: { AUTHORIZATION_RATE_LIMIT: '40' } });
  client = await registerClient(app, { skipConsent: true });
  listener = await startMetricsListener(app.services.metrics, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await listener?.close();
  await app?.close();
});

/** The value of a sample of the scrape, found by its name and labels. */
function sample(scrape: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = scrape.split('\n').find((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)
    ? Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)) : false);
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('metrics', () => {
  it('counts requests, sign-ins, tokens and blocks, and shows the outbox, the pool and the process', async () => {
    const user = await createUser(app);
    const flow = await authorize(app, client, user);
    await redeemCode(app, client, flow.code!, flow.request.verifier);
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    await submitLogin(session, app, page, user.email, 'not the password');
    await tokenRequest(app, client, { grant_type: 'client_credentials' });
    for (let i = 0; i < 45; i++) await fetch(authorizationRequest(app, client).url, { redirect: 'manual' }); // past the per-address limit

    const scrape = await (await fetch(listener.url)).text();
    expect(sample(scrape, 'latchkey_http_requests_total', { route: '/interaction/:uid/login', method: 'POST', status: '303' })).toBeGreaterThanOrEqual(1);
    expect(sample(scrape, 'latchkey_http_requests_total', { route: '/auth', method: 'GET', status: '303' })).toBeGreaterThanOrEqual(1);
    expect(sample(scrape, 'latchkey_http_request_duration_seconds_count', { route: '/token', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(sample(scrape, 'latchkey_sign_ins_total', { method: 'password', result: 'success' })).toBe(1);
    expect(sample(scrape, 'latchkey_sign_ins_total', { method: 'password', result: 'failure' })).toBe(1);
    expect(sample(scrape, 'latchkey_tokens_issued_total', { grant_type: 'authorization_code' })).toBe(1);
    expect(sample(scrape, 'latchkey_tokens_issued_total', { grant_type: 'client_credentials' })).toBe(1);
    expect(sample(scrape, 'latchkey_throttle_blocks_total', { limit: 'rate:auth' })).toBeGreaterThanOrEqual(1);
    expect(sample(scrape, 'latchkey_http_requests_total', { route: '/auth', method: 'GET', status: '429' })).toBeGreaterThanOrEqual(1);
    expect(sample(scrape, 'latchkey_mail_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(sample(scrape, 'latchkey_mail_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(scrape, 'latchkey_db_pool_in_use')).toBeGreaterThanOrEqual(0);
    expect(sample(scrape, 'latchkey_db_pool_waiting')).toBe(0);
    expect(sample(scrape, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(scrape, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(scrape).not.toMatch(/route="\/interaction\/[\w-]{20,}/); // ids never become labels
  });

  it('is never served on the public port', async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
  });
});
