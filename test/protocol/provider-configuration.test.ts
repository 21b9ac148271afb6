// What the provider promises and how far its grants reach: discovery says only what works,
// private_key_jwt works with an independent client, client_credentials carries no person,
// introspection shows a client its own tokens only, sessions end a fixed time after the sign-in,
// cookies are __Host- over https, and native apps may use any loopback port.
import crypto from 'node:crypto';
import * as jose from 'jose';
import * as oc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '../helpers/http-session.ts';
import { openSignIn } from '../helpers/hosted-pages.ts';
import { authorizationRequest, createUser, registerClient, signInForTokens, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
beforeAll(async () => {
  app = await startApp();
  client = await registerClient(app);
});
afterAll(() => app?.close());

const sessionRow = async (session: HttpSession) => {
  const id = crypto.createHash('sha256').update(session.cookie('lk_session')!.value).digest('base64url');
  return app.services.db.knex('oidc_payloads').where({ model: 'Session', id }).first();
};

describe('discovery', () => {
  it('advertises the client authentication methods that work, and back-channel logout with the sid claim it needs', async () => {
    const meta = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json();
    expect(meta.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
    expect(meta.claims_supported).toContain('sid'); // in ID tokens of clients with backchannel_logout_session_required
    expect(meta).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
    expect(meta.dpop_signing_alg_values_supported?.length).toBeGreaterThan(0); // DPoP, as README says
  });

  it('answers discovery and JWKS later with what the provider built first, headers and all, to any origin', async () => {
    const fresh = await startApp();
    try {
      for (const path of ['/.well-known/openid-configuration', '/jwks']) {
        const url = `${fresh.url}${path}`;
        const read = async (init?: RequestInit) => {
          const response = await fetch(url, init);
          return { status: response.status, body: await response.text(), headers: Object.fromEntries([...response.headers].filter(([name]) => !['date', 'x-request-id'].includes(name))) };
        };
        const first = await read({ headers: { origin: 'https://spa.example' } }); // built by the provider
        expect(first.status, path).toBe(200);
        expect(first.headers['content-type'], path).toMatch(/^application\/(json|jwk-set\+json)/);
        expect(first.headers['cache-control'], path).toBe('no-store');
        expect(await read({ headers: { origin: 'https://spa.example' } }), path).toEqual(first);
        const elsewhere = await read({ headers: { origin: 'https://other.example' } });
        expect(elsewhere, path).toEqual({ ...first, headers: { ...first.headers, 'access-control-allow-origin': 'https://other.example' } });
        expect((await read()).headers['access-control-allow-origin'], path).toBe('*');
        const head = await fetch(url, { method: 'HEAD' });
        expect([head.status, await head.text()], path).toEqual([200, '']);
        expect((await fetch(url, { method: 'POST' })).status, path).not.toBe(200); // anything else is still the provider's to answer
      }
      expect(JSON.parse(await (await fetch(`${fresh.url}/.well-known/openid-configuration`)).text()).issuer).toBe(fresh.services.config.issuer);
    } finally {
      await fresh.close();
    }
  });
});

describe('private_key_jwt', () => {
  it('authenticates a client registered with its public keys, through openid-client, and gives it no secret', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const created = await app.cli('clients', 'create', '--name', 'Signed', '--grant-type', 'client_credentials', '--jwks', JSON.stringify({ keys: [jwk] }), '--json');
    expect(created.code, created.stderr).toBe(0);
    const registered = JSON.parse(created.stdout);
    expect(registered).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt' });
    expect(registered.client_secret).toBeUndefined();

    const config = await oc.discovery(new URL(app.url), registered.client_id, undefined, oc.PrivateKeyJwt(privateKey), { execute: [oc.allowInsecureRequests] });
    const tokens = await oc.clientCredentialsGrant(config);
    expect(tokens.access_token).toBeTruthy();

    const other = await jose.generateKeyPair('ES256');
    const impostor = await oc.discovery(new URL(app.url), registered.client_id, undefined, oc.PrivateKeyJwt(other.privateKey), { execute: [oc.allowInsecureRequests] });
    await expect(oc.clientCredentialsGrant(impostor)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('refuses to register a private key', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const refused = await app.cli('clients', 'create', '--name', 'Leaky', '--grant-type', 'client_credentials', '--jwks', JSON.stringify({ keys: [await jose.exportJWK(privateKey)] }));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/private or symmetric key/);
  });
});

describe('client_credentials', () => {
  it('refuses OpenID scopes, which describe a person, and issues a token without them', async () => {
    for (const scope of ['openid', 'openid email offline_access', 'profile']) {
      const refused = await tokenRequest(app, client, { grant_type: 'client_credentials', scope });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_scope');
    }
    expect((await tokenRequest(app, client, { grant_type: 'client_credentials' })).status).toBe(200);
  });
});

describe('introspection', () => {
  it('tells a client about its own tokens only, refresh tokens included', async () => {
    const user = await createUser(app);
    const other = await registerClient(app, { name: 'Another confidential client' });
    const { tokens } = await signInForTokens(app, client, user, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      expect((await tokenRequest(app, other, { token }, '/token/introspection')).body).toEqual({ active: false });
      expect((await tokenRequest(app, client, { token }, '/token/introspection')).body).toMatchObject({ active: true, sub: user.id });
    }
  });
});

describe('sessions', () => {
  const signIn = async (remember: boolean) => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    await submitLogin(session, app, page, user.email, user.password, remember ? { remember: 'yes' } : {});
    return { user, session };
  };
  const hoursLeft = (row: { expires_at: Date }) => (row.expires_at.getTime() - Date.now()) / 3_600_000;

  it('ends a sign-in without "keep me signed in" on the server after 12 hours', async () => {
    const { session } = await signIn(false);
    expect(hoursLeft(await sessionRow(session))).toBeCloseTo(12, 0);
  });

  it('counts the 14 days of a kept sign-in from the sign-in, however often the session is used', async () => {
    const { session } = await signIn(true);
    expect(hoursLeft(await sessionRow(session))).toBeCloseTo(14 * 24, 0);
    // Three days later the session is used again (another application signs in with it).
    const knex = app.services.db.knex;
    const row = await sessionRow(session);
    const loginTs = Math.floor(Date.now() / 1000) - 3 * 24 * 3600;
    await knex('oidc_payloads').where({ model: 'Session', id: row.id }).update({ payload: knex.raw(`jsonb_set(payload, '{loginTs}', to_jsonb(?::bigint))`, [loginTs]) });
    const second = await registerClient(app, { name: 'Second app', skipConsent: true });
    const flow = await session.follow(authorizationRequest(app, second).url, app.url);
    expect(flow.location).toMatch(/^http:\/\/localhost:9\/cb\?code=/);
    expect(hoursLeft(await sessionRow(session))).toBeCloseTo(11 * 24, 0); // not 14 days from now
  });
});

describe('cookies over https', () => {
  it('names the session and Latchkey\'s own cookies __Host-, Secure, for the whole site', async () => {
    const secure = await startApp({ env: { ISSUER: 'https://id.example.test', TRUST_PROXY: 'true' } });
    try {
      const rp = await registerClient(secure);
      const user = await createUser(secure);
      const url = new URL(authorizationRequest(secure, rp).url);
      const session = new HttpSession({ 'x-forwarded-proto': 'https', host: 'id.example.test' });
      const local = (path: string) => `http://127.0.0.1:${new URL(secure.url).port}${path}`;
      const entry = await session.request(local(url.pathname + url.search));
      const interaction = new URL(entry.location!).pathname;
      const page = await session.request(local(interaction));
      const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
      const signedIn = await session.request(local(`${interaction}/login`), { form: { _csrf: csrf, email: user.email, password: user.password } });
      const setCookies = [...page.headers.getSetCookie(), ...signedIn.headers.getSetCookie()];
      const resumed = await session.request(local(new URL(signedIn.location!).pathname));
      setCookies.push(...resumed.headers.getSetCookie());
      const named = (name: string) => setCookies.find((cookie) => cookie.startsWith(`${name}=`));
      for (const name of ['__Host-lk_csrf', '__Host-lk_session']) {
        expect(named(name), `${name} in ${setCookies.join(' | ')}`).toMatch(/; path=\/;.*secure/i);
        expect(named(name)).not.toMatch(/domain=/i);
      }
      expect(setCookies.some((cookie) => /^lk_(csrf|session)=/.test(cookie))).toBe(false);
    } finally {
      await secure.close();
    }
  });
});

describe('native apps (RFC 8252)', () => {
  const tryRedirect = async (as: TestClient, redirectUri: string) =>
    fetch(authorizationRequest(app, as, { redirect_uri: redirectUri }).url, { redirect: 'manual' });

  it('lets a public client whose redirect URIs are loopback IP literals use any port; localhost is matched exactly', async () => {
    const native = await app.services.clients.createClient({
      name: 'Desktop app', redirectUris: ['http://127.0.0.1/cb', 'http://[::1]/cb'], postLogoutRedirectUris: [], isPublic: true,
      grantTypes: ['authorization_code'], scopes: [], skipConsent: false,
    });
    const nativeClient = { clientId: native.client.client_id, clientSecret: undefined };
    expect((await tryRedirect(nativeClient, 'http://127.0.0.1:51234/cb')).headers.get('location')).toMatch(/^\/interaction\//);
    expect((await tryRedirect(nativeClient, 'http://[::1]:40000/cb')).headers.get('location')).toMatch(/^\/interaction\//);
    expect((await tryRedirect(nativeClient, 'http://127.0.0.1:51234/other')).status).toBe(400);

    const spa = await app.services.clients.createClient({
      name: 'Browser app in development', redirectUris: ['http://localhost:5173/cb'], postLogoutRedirectUris: [], isPublic: true,
      grantTypes: ['authorization_code'], scopes: [], skipConsent: false,
    });
    const spaClient = { clientId: spa.client.client_id, clientSecret: undefined };
    expect((await tryRedirect(spaClient, 'http://localhost:5173/cb')).headers.get('location')).toMatch(/^\/interaction\//);
    expect((await tryRedirect(spaClient, 'http://localhost:5174/cb')).status).toBe(400);
  });
});
