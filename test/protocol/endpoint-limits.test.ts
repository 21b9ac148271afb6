// What a stranger can make the provider store or try without credentials: bounded parameters,
// authorization requests per IP, failed client authentication, WebAuthn ceremonies, TOTP set-ups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationRequest, createUser, registerClient, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { openSignIn } from '../helpers/hosted-pages.ts';
import { enrolTotp, openSignedIn } from '../helpers/account-pages.ts';
import { submitForm } from '../helpers/hosted-pages.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const interactionCount = async (app: TestApp) =>
  Number((await app.services.db.knex('oidc_payloads').where({ model: 'Interaction' }).count('* as n').first())!.n);

describe('authorization parameters', () => {
  let app: TestApp;
  let client: TestClient;
  beforeAll(async () => {
    app = await startApp();
    client = await registerClient(app);
  });
  afterAll(() => app?.close());

  it.each([
    ['login_hint', 255], ['state', 1025], ['nonce', 513], ['ui_locales', 101], ['acr_values', 201],
  ])('refuses a %s longer than it can be, storing nothing', async (name, length) => {
    const before = await interactionCount(app);
    const response = await fetch(authorizationRequest(app, client, { [name]: 'a'.repeat(length) }).url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const back = new URL(response.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('http://localhost:9/cb');
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toContain(`${name} must be at most ${length - 1} characters`);
    expect(await interactionCount(app)).toBe(before);
  });

  it('takes parameters of a sensible length', async () => {
    const response = await fetch(authorizationRequest(app, client, { login_hint: `${'a'.repeat(240)}@example.com`, state: 's'.repeat(1024) }).url, { redirect: 'manual' });
    expect(response.headers.get('location')).toMatch(/^\/interaction\//);
  });
});

describe('requests a stranger can make without credentials', () => {
  let app: TestApp;
  let client: TestClient;
  let publicClient: TestClient;
  beforeAll(async () => {
    app = await startApp({ env: { AUTHORIZATION_RATE_LIMIT: '5', TRUST_PROXY: 'true' } }); // X-Forwarded-For poses as other machines
    client = await registerClient(app);
    publicClient = await registerClient(app, { isPublic: true });
  });
  afterAll(() => app?.close());

  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  it('limits authorization requests per IP and minute, with a page that says when to come back', async () => {
    const authorize = (ip: string) => fetch(authorizationRequest(app, client).url, { redirect: 'manual', headers: { ...from(ip), accept: 'text/html' } });
    for (let i = 0; i < 5; i++) expect((await authorize('198.51.100.1')).status).toBe(303);
    const before = await interactionCount(app);
    const refused = await authorize('198.51.100.1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/html/);
    expect(await refused.text()).toContain('Too many requests');
    expect(await interactionCount(app)).toBe(before);
    // The provider routes any letter case and a trailing slash alike: none of them gets past.
    for (const path of ['/AUTH', '/auth/', '/Auth//']) {
      const url = new URL(authorizationRequest(app, client).url);
      url.pathname = path;
      expect((await fetch(url, { redirect: 'manual', headers: from('198.51.100.1') })).status).toBe(429);
    }
    expect(await interactionCount(app)).toBe(before);
    expect((await authorize('198.51.100.2')).status).toBe(303); // another address is not held back
  });

  it('limits pushed requests of public clients per IP, never those of a client that authenticated', async () => {
    const push = (as: TestClient, ip: string) => {
      const params = Object.fromEntries(new URL(authorizationRequest(app, as).url).searchParams);
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...from(ip) };
      if (as.clientSecret) headers.authorization = `Basic ${Buffer.from(`${as.clientId}:${as.clientSecret}`).toString('base64')}`;
      return fetch(`${app.url}/request`, { method: 'POST', headers, body: new URLSearchParams(params) });
    };
    for (let i = 0; i < 5; i++) expect((await push(publicClient, '198.51.100.3')).status).toBe(201);
    const refused = await push(publicClient, '198.51.100.3');
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toBe('too_many_requests');
    for (let i = 0; i < 8; i++) expect((await push(client, '198.51.100.4')).status).toBe(201);
  });

  it('throttles failed client authentication per IP, whatever the endpoint, and never a client that authenticates', async () => {
    const wrong = { ...client, clientSecret: 'not-the-secret' };
    const call = (as: TestClient, path: string, ip: string) =>
      fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${as.clientId}:${as.clientSecret}`).toString('base64')}`, ...from(ip) },
        body: new URLSearchParams(path === '/token' ? { grant_type: 'client_credentials' } : { token: 'x' }),
      });
    for (let i = 0; i < 20; i++) expect((await call(wrong, ['/token', '/TOKEN', '/token/introspection/'][i % 3]!, '198.51.100.5')).status).toBe(401);
    const blocked = await call(client, '/token', '198.51.100.5');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(client, '/Token/', '198.51.100.5')).status).toBe(429);
    // Another client from the same address is not held back by this one's failures.
    const neighbour = await registerClient(app, { name: 'Same office' });
    expect((await call(neighbour, '/token', '198.51.100.5')).status).toBe(200);
    // Right credentials from elsewhere: as many as it likes.
    for (let i = 0; i < 30; i++) expect((await call(client, '/token', '198.51.100.6')).status).toBe(200);
  });

  it('limits passkey ceremonies a sign-in page can start from one IP', async () => {
    const session = new HttpSession(from('198.51.100.7'));
    const { page } = await openSignIn(app, client, session);
    const uid = page.url.match(/\/interaction\/([^/?]+)/)![1];
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push((await session.request(`${app.url}/interaction/${uid}/passkey/options`, { method: 'POST', headers: { 'x-csrf-token': csrf, accept: 'application/json' } })).status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('keeps one unconfirmed authenticator set-up per account, however often it is started', async () => {
    const user = await createUser(app);
    const session = new HttpSession(from('198.51.100.8'));
    const security = await openSignedIn(app, session, user);
    for (let i = 0; i < 5; i++) await submitForm(session, app, security, '/account/security/totp');
    const pending = await app.services.db.knex('totp_factors').where({ account_id: user.id }).whereNull('confirmed_at');
    expect(pending).toHaveLength(1);
    // and the newest one is the one that can be confirmed
    const { done } = await enrolTotp(app, session, security);
    expect(done.body).toContain('never shown again');
  });
});
