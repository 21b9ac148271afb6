import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import { REDIRECT_URI, authorizationRequest, authorize, createUser, registerClient, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

describe('hosted pages', () => {
  let app: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    app = await startApp();
    client = await registerClient(app, { name: 'Photo <Share> & Co' });
  });
  afterAll(() => app?.close());

  it('sends strict security headers and no-store on the sign-in page', async () => {
    const page = await new HttpSession().follow(authorizationRequest(app, client).url, app.url);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    expect(page.body).not.toMatch(/ style="/);
  });

  it('marks cookies Secure and sends HSTS when served over https behind a trusted proxy', async () => {
    const proxied = await startApp({ env: { TRUST_PROXY: 'true' } });
    try {
      const secureClient = await registerClient(proxied);
      const session = new HttpSession({ 'x-forwarded-proto': 'https' });
      const page = await session.follow(authorizationRequest(proxied, secureClient).url, proxied.url);
      expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      const response = await fetch(authorizationRequest(proxied, secureClient).url, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
      const cookies = response.headers.getSetCookie();
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) expect(cookie).toMatch(/; secure/i);
      for (const cookie of cookies) expect(cookie).toMatch(/; httponly/i);
    } finally {
      await proxied.close();
    }
  });

  it('shows the client\'s logo', async () => {
    const { client: withLogo } = await app.services.clients.createClient({
      name: 'Logo App', redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [], isPublic: false,
      grantTypes: [], scopes: [], skipConsent: false, logoUri: 'https://cdn.example/logo.png',
    });
    const page = await new HttpSession().follow(authorizationRequest(app, { clientId: withLogo.client_id, clientSecret: undefined }).url, app.url);
    expect(page.body).toContain('<img class="client-logo" src="https://cdn.example/logo.png" alt=""');
  });

  it('labels every input and escapes the client name', async () => {
    const page = await new HttpSession().follow(authorizationRequest(app, client).url, app.url);
    expect(page.body).toContain('Photo &lt;Share&gt; &amp; Co');
    for (const [, id] of page.body.matchAll(/<input[^>]*type="(?:email|password|checkbox)"[^>]*id="([^"]+)"/g)) {
      expect(page.body).toContain(`<label for="${id}"`);
    }
    expect(page.body).toContain('name="viewport"');
  });

  it('serves its stylesheet locally and nothing from other origins', async () => {
    const page = await new HttpSession().follow(authorizationRequest(app, client).url, app.url);
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//); // no fonts, scripts or styles from elsewhere
    const css = await fetch(`${app.url}/static/latchkey.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect((await fetch(`${app.url}/static/..%2Fpackage.json`)).status).toBe(404);
  });

  it('describes the requested scopes in words and says who is signed in', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const login = await session.follow(authorizationRequest(app, client, { scope: 'openid email profile' }).url, app.url);
    const consent = await submitLogin(session, app, login, user.email, user.password);
    expect(consent.status).toBe(200);
    expect(consent.body).toContain('See your email address');
    expect(consent.body).toContain('See your name');
    expect(consent.body).toContain(user.email);
    expect(consent.headers.get('cache-control')).toBe('no-store');
  });

  it('returns access_denied to the client when the person denies consent', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const login = await session.follow(authorizationRequest(app, client).url, app.url);
    const consent = await submitLogin(session, app, login, user.email, user.password);
    const csrf = consent.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const denied = await session.submit(new URL(formAction(consent.body, '/abort')!, app.url).href, { _csrf: csrf }, app.url);
    const location = new URL(denied.location!);
    expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(location.searchParams.get('error')).toBe('access_denied');
  });

  it('skips consent for a first-party client unless the request demands it', async () => {
    const firstParty = await registerClient(app, { skipConsent: true, name: 'Our own app' });
    const user = await createUser(app);
    const session = new HttpSession();
    const login = await session.follow(authorizationRequest(app, firstParty).url, app.url);
    const back = await submitLogin(session, app, login, user.email, user.password);
    expect(back.location).toMatch(/^http:\/\/localhost:9\/cb\?code=/);
    const asked = await session.follow(authorizationRequest(app, firstParty, { prompt: 'consent' }).url, app.url);
    expect(formAction(asked.body, '/consent')).toBeTruthy();
  });

  it('remembers consent: a second sign-in to the same client does not ask again', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    await authorize(app, client, user, { session });
    const again = await session.follow(authorizationRequest(app, client).url, app.url);
    expect(again.location).toMatch(/^http:\/\/localhost:9\/cb\?code=/);
  });

  it('explains an expired or foreign sign-in page instead of failing', async () => {
    const stranger = await fetch(`${app.url}/interaction/abc123`, { headers: { accept: 'text/html' } });
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toContain('This page has expired');

    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    const uid = page.url.split('/').pop();
    const other = new HttpSession();
    const foreign = await other.request(`${app.url}/interaction/${uid}`);
    expect(foreign.status).toBe(400);
  });

  it('never fails on U+0000 in a parameter or form field', async () => {
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    const action = new URL(formAction(page.body, '/login')!, app.url).href;
    const login = await session.request(action, { form: { _csrf: page.body.match(/name="_csrf" value="([^"]+)"/)![1]!, email: 'a\u0000b@example.test', password: 'x\u0000y' } });
    expect(login.status).toBe(400);
    const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const requests: Array<[string, RequestInit]> = [
      [authorizationRequest(app, client, { state: 'a\u0000b', nonce: '\u0000', login_hint: 'x\u0000@y.z' }).url, {}],
      [`${app.url}/token`, { method: 'POST', headers: { ...form, authorization: basic }, body: 'grant_type=refresh_token&refresh_token=ab%00cd' }],
      [`${app.url}/token`, { method: 'POST', headers: form, body: 'grant_type=client_credentials&client_id=x%00y&client_secret=z' }],
      [`${app.url}/token/introspection`, { method: 'POST', headers: { ...form, authorization: basic }, body: 'token=%00' }],
      [`${app.url}/request`, { method: 'POST', headers: { ...form, authorization: basic }, body: `client_id=${client.clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&state=%00` }],
      [`${app.url}/interaction/%00`, {}],
    ];
    for (const [url, init] of requests) {
      const response = await fetch(url, { redirect: 'manual', ...init });
      expect(response.status, `${init.method ?? 'GET'} ${url.slice(0, 90)}`).toBeLessThan(500);
    }
    expect(app.logs.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });

  it('says a form over the size limit was too large, and offers the same sign-in again', async () => {
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    const action = new URL(formAction(page.body, '/login')!, app.url).href;
    const huge = await session.request(action, { form: { _csrf: page.body.match(/name="_csrf" value="([^"]+)"/)![1]!, email: 'someone@example.test', password: 'x'.repeat(100_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body).toContain('The form was too large');
    expect(huge.body).not.toContain('The application that sent you here');
    const retry = huge.body.match(/<a href="(\/interaction\/[^"]+)">Try again<\/a>/)?.[1];
    expect(retry).toBe(new URL(page.url).pathname);
    const again = await session.request(new URL(retry!, app.url).href);
    expect(formAction(again.body, '/login')).toBeTruthy();
  });

  it('offers a plain sign-out confirmation when the id_token_hint does not hold', async () => {
    const forged = [
      'not.a.jwt',
      `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ aud: client.clientId, sub: 'x', iss: app.url })).toString('base64url')}.c2lnbmF0dXJl`,
    ];
    const user = await createUser(app);
    for (const hint of forged) {
      const { session } = await authorize(app, client, user);
      const page = await session.follow(`${app.url}/session/end?id_token_hint=${hint}&post_logout_redirect_uri=${encodeURIComponent('http://localhost:9/bye')}`, app.url);
      expect(page.status).toBe(200);
      expect(page.body).toContain('Yes, sign me out');
      expect(page.body).not.toContain('The application that sent you here');
    }
  });

  it('answers malformed requests with 4xx, never 500', async () => {
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    const action = new URL(formAction(page.body, '/login')!, app.url).href;
    const cookies = [...session.cookies.values()].map((c) => `${c.name}=${c.value}`).join('; ');
    const cases: Array<[string, RequestInit]> = [
      [action, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies }, body: '{"email": ' }],
      [action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies }, body: 'x'.repeat(100_000) }],
      [`${app.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=x' }],
      [`${app.url}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }],
      [`${app.url}/auth?client_id=${client.clientId}&response_type=code&scope=openid&redirect_uri=%E0%A4%A`, {}],
      [`${app.url}/auth?client_id[]=x`, {}],
      [`${app.url}/me`, { headers: { authorization: 'Bearer' } }],
      [`${app.url}/token/introspection`, { method: 'POST', body: 'token=x' }],
      [`${app.url}/interaction/${'x'.repeat(5000)}/login`, { method: 'POST' }],
    ];
    for (const [url, init] of cases) {
      const response = await fetch(url, { redirect: 'manual', ...init });
      expect(response.status, `${init.method ?? 'GET'} ${url.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${init.method ?? 'GET'} ${url.slice(0, 80)}`).toBeLessThan(500);
    }
    expect(app.logs.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });
});
