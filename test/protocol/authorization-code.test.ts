import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, formAction, inputValue } from '../helpers/http-session.ts';
import {
  REDIRECT_URI, authorizationRequest, authorize, createUser, pkcePair, redeemCode, registerClient,
  signInForTokens, submitLogin, tokenRequest, type TestClient,
} from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

describe('authorization code flow', () => {
  let app: TestApp;
  let client: TestClient;
  let publicClient: TestClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    app = await startApp();
    client = await registerClient(app);
    publicClient = await registerClient(app, { isPublic: true });
    user = await createUser(app, { name: 'Ada Lovelace' });
  });
  afterAll(() => app?.close());

  it('publishes discovery for the code flow with S256 PKCE, iss in responses and PAR, without implicit or password grants', async () => {
    const meta = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json() as Record<string, any>;
    expect(meta.issuer).toBe(app.url);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    expect(meta.pushed_authorization_request_endpoint).toBe(`${app.url}/request`);
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(meta.grant_types_supported).not.toContain('implicit');
    expect(meta.grant_types_supported).not.toContain('password');
    expect(meta.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256', 'EdDSA']));
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile', 'offline_access']));
    for (const endpoint of ['userinfo_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'jwks_uri']) {
      expect(meta[endpoint], endpoint).toMatch(new RegExp(`^${app.url}/`));
    }
  });

  it('signs a person in through the hosted pages and returns a code with state and iss', async () => {
    const { callback, request } = await authorize(app, client, user);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(request.state);
    expect(callback.searchParams.get('iss')).toBe(app.url);
  });

  it('issues an ID token signed with a published key, bound to the client, the nonce and the sign-in time', async () => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const { tokens, request } = await signInForTokens(app, client, user);
    const jwks = createRemoteJWKSet(new URL(`${app.url}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, { issuer: app.url, audience: client.clientId });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe(user.id);
    expect(payload.nonce).toBe(request.nonce);
    expect(payload.auth_time).toBeGreaterThanOrEqual(before);
    expect(payload.amr).toEqual(['pwd']);
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.refresh_token).toBeUndefined(); // offline_access was not asked for
  });

  it('answers userinfo with the claims of the granted scopes only', async () => {
    const full = await signInForTokens(app, client, user, { params: { scope: 'openid email profile' } });
    const claims = await (await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${full.tokens.access_token}` } })).json();
    expect(claims).toMatchObject({ sub: user.id, email: user.email, email_verified: true, name: 'Ada Lovelace' });

    const emailOnly = await signInForTokens(app, client, user, { session: full.session, params: { scope: 'openid email' } });
    const fewer = await (await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${emailOnly.tokens.access_token}` } })).json() as Record<string, unknown>;
    expect(fewer.email).toBe(user.email);
    expect(fewer.name).toBeUndefined();
  });

  it('refuses an authorization request without PKCE, from confidential clients too', async () => {
    for (const c of [client, publicClient]) {
      const request = authorizationRequest(app, c, { code_challenge: undefined, code_challenge_method: undefined });
      const response = await fetch(request.url, { redirect: 'manual' });
      const location = new URL(response.headers.get('location')!);
      expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
    }
  });

  it('refuses the plain PKCE method and the implicit response type', async () => {
    const plain = await fetch(authorizationRequest(app, client, { code_challenge_method: 'plain' }).url, { redirect: 'manual' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const implicit = await fetch(authorizationRequest(app, client, { response_type: 'id_token token' }).url, { redirect: 'manual' });
    const fragment = new URLSearchParams(new URL(implicit.headers.get('location')!).hash.slice(1));
    expect(fragment.get('error')).toBe('unsupported_response_type');
  });

  it('refuses a code presented with the wrong PKCE verifier', async () => {
    const { code } = await authorize(app, client, user);
    const result = await redeemCode(app, client, code!, pkcePair().verifier);
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('invalid_grant');
  });

  it('lets exactly one of two concurrent redemptions of a code succeed', async () => {
    const { code, request } = await authorize(app, client, user);
    const results = await Promise.all([redeemCode(app, client, code!, request.verifier), redeemCode(app, client, code!, request.verifier)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(results.find((r) => r.status === 400)!.body.error).toBe('invalid_grant');
    // a double redemption is a replay: what the winner got is revoked too
    const winner = results.find((r) => r.status === 200)!.body;
    expect((await tokenRequest(app, client, { token: winner.access_token }, '/token/introspection')).body.active).toBe(false);
  });

  it('revokes the tokens issued from a code when that code is redeemed again', async () => {
    const { code, request } = await authorize(app, client, user);
    const first = await redeemCode(app, client, code!, request.verifier);
    expect(first.status).toBe(200);
    const second = await redeemCode(app, client, code!, request.verifier);
    expect(second.body.error).toBe('invalid_grant');
    const introspection = await tokenRequest(app, client, { token: first.body.access_token }, '/token/introspection');
    expect(introspection.body.active).toBe(false);
  });

  it('accepts pushed authorization requests and completes the flow with the request_uri', async () => {
    const { verifier, challenge } = pkcePair();
    const pushed = await tokenRequest(app, client, {
      client_id: client.clientId, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'par-state',
    }, '/request');
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);
    expect(pushed.body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const { callback } = await authorize(app, client, user, { params: {
      request_uri: pushed.body.request_uri, response_type: undefined, redirect_uri: undefined, scope: undefined,
      code_challenge: undefined, code_challenge_method: undefined, state: undefined, nonce: undefined,
    } });
    expect(callback.searchParams.get('state')).toBe('par-state');
    expect((await redeemCode(app, client, callback.searchParams.get('code')!, verifier)).status).toBe(200);
  });

  it('answers prompt=none with login_required without a session, and with a code when signed in', async () => {
    const session = new HttpSession();
    const none = await session.follow(authorizationRequest(app, client, { prompt: 'none' }).url, app.url);
    expect(new URL(none.location!).searchParams.get('error')).toBe('login_required');

    await authorize(app, client, user, { session });
    const silent = await session.follow(authorizationRequest(app, client, { prompt: 'none' }).url, app.url);
    expect(new URL(silent.location!).searchParams.get('code')).toBeTruthy();
  });

  it('asks for credentials again with prompt=login and when the session is older than max_age', async () => {
    const session = new HttpSession();
    await authorize(app, client, user, { session });
    const again = await session.follow(authorizationRequest(app, client, { prompt: 'login' }).url, app.url);
    expect(formAction(again.body, '/login')).toBeTruthy();

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const stale = await session.follow(authorizationRequest(app, client, { max_age: '1' }).url, app.url);
    expect(formAction(stale.body, '/login')).toBeTruthy();
    const fresh = await session.follow(authorizationRequest(app, client, { max_age: '3600' }).url, app.url);
    expect(new URL(fresh.location!).searchParams.get('code')).toBeTruthy();
  });

  it('fills the email field from login_hint', async () => {
    const page = await new HttpSession().follow(authorizationRequest(app, client, { login_hint: 'hint@example.test' }).url, app.url);
    expect(inputValue(page.body, 'email')).toBe('hint@example.test');
  });

  it('refuses a silent sign-in when id_token_hint names another person than the session', async () => {
    const other = await createUser(app);
    const { tokens } = await signInForTokens(app, client, other);
    const session = new HttpSession();
    await authorize(app, client, user, { session });
    const mismatch = await session.follow(authorizationRequest(app, client, { prompt: 'none', id_token_hint: tokens.id_token }).url, app.url);
    expect(new URL(mismatch.location!).searchParams.get('error')).toBe('login_required');
  });

  it('shows a readable error page for an unknown client and never redirects to an unregistered URI', async () => {
    const unknown = await fetch(authorizationRequest(app, { clientId: 'nope', clientSecret: undefined }).url, { headers: { accept: 'text/html' } });
    expect(unknown.status).toBe(400);
    const html = await unknown.text();
    expect(html).toContain('Unknown application');
    expect(html).toContain('/static/latchkey.css');

    const foreign = await fetch(authorizationRequest(app, client, { redirect_uri: 'https://attacker.example/cb' }).url, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get('location')).toBeNull();
    expect(await foreign.text()).toContain('misconfigured');
  });

  it('lets a person cancel at the sign-in page, which returns access_denied to the client', async () => {
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    const abort = await session.request(new URL(formAction(page.body, '/abort')!, app.url).href, { form: { _csrf: inputValue(page.body, '_csrf')! } });
    const back = await session.follow(abort.location!, app.url);
    expect(new URL(back.location!).searchParams.get('error')).toBe('access_denied');
  });

  it('keeps a wrong password on the sign-in page without revealing whether the email exists', async () => {
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    const wrong = await submitLogin(session, app, page, user.email, 'not the password');
    const unknown = await submitLogin(session, app, page, 'nobody@example.test', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (html: string) => html.match(/(?:role="alert"|class="field-error")>([^<]*)</)?.[1]; // under its field or in the banner
    expect(message(wrong.body)).toBe('The email address or password is incorrect.');
    expect(message(unknown.body)).toBe(message(wrong.body));
    expect(inputValue(wrong.body, 'email')).toBe(user.email);
  });
});
