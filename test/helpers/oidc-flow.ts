// Relying-party steps for tests over plain HTTP: register a client and a user, run the
// authorization code flow through the hosted pages, call the token endpoints.
import crypto from 'node:crypto';
import { expect } from 'vitest';
import { HttpSession, formAction, inputValue, type PageResponse } from './http-session.ts';
import type { TestApp } from './start-app.ts';

export const PASSWORD = 'correct horse battery staple';
export const REDIRECT_URI = 'http://localhost:9/cb';

export interface TestClient {
  clientId: string;
  clientSecret: string | undefined;
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');

export function pkcePair() {
  const verifier = b64url(crypto.randomBytes(32));
  return { verifier, challenge: b64url(crypto.createHash('sha256').update(verifier).digest()) };
}

export async function registerClient(app: TestApp, options: Partial<{ isPublic: boolean; skipConsent: boolean; grantTypes: string[]; scopes: string[]; name: string; postLogoutRedirectUris: string[] }> = {}): Promise<TestClient> {
  const { client, clientSecret } = await app.services.clients.createClient({
    name: options.name ?? 'Test RP',
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: options.postLogoutRedirectUris ?? ['http://localhost:9/bye'],
    isPublic: options.isPublic ?? false,
    grantTypes: options.grantTypes ?? ['authorization_code', 'refresh_token', 'client_credentials'].filter((g) => !(options.isPublic && g === 'client_credentials')),
    scopes: options.scopes ?? [],
    skipConsent: options.skipConsent ?? false,
  });
  return { clientId: client.client_id, clientSecret };
}

let userCount = 0;
export async function createUser(app: TestApp, overrides: Partial<{ email: string; password: string; name: string }> = {}) {
  userCount += 1;
  const email = overrides.email ?? `user${userCount}.${crypto.randomBytes(3).toString('hex')}@example.test`;
  const account = await app.services.accounts.createAccount({ email, password: overrides.password ?? PASSWORD, name: overrides.name ?? 'Test User', emailVerified: true });
  return { id: account.id, email, password: overrides.password ?? PASSWORD };
}

export interface AuthorizationRequest {
  url: string;
  verifier: string;
  state: string;
  nonce: string;
}

export function authorizationRequest(app: TestApp, client: TestClient, params: Record<string, string | undefined> = {}): AuthorizationRequest {
  const { verifier, challenge } = pkcePair();
  const state = b64url(crypto.randomBytes(8));
  const nonce = b64url(crypto.randomBytes(8));
  const url = new URL('/auth', app.url);
  const all: Record<string, string | undefined> = {
    client_id: client.clientId, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid email profile',
    code_challenge: challenge, code_challenge_method: 'S256', state, nonce, ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(key, value);
  return { url: url.href, verifier, state, nonce };
}

/** Fills the sign-in form on `page` and follows what comes back. */
export async function submitLogin(session: HttpSession, app: TestApp, page: PageResponse, email: string, password: string, extra: Record<string, string> = {}) {
  const action = formAction(page.body, '/login');
  expect(action, `no sign-in form at ${page.url}: ${page.body.slice(0, 300)}`).toBeTruthy();
  return session.submit(new URL(action!, app.url).href, { _csrf: inputValue(page.body, '_csrf')!, email, password, ...extra }, app.url);
}

export async function submitConsent(session: HttpSession, app: TestApp, page: PageResponse) {
  const action = formAction(page.body, '/consent');
  expect(action, `no consent form at ${page.url}`).toBeTruthy();
  return session.submit(new URL(action!, app.url).href, { _csrf: inputValue(page.body, '_csrf')! }, app.url);
}

/**
 * Runs the whole authorization code flow as a person in a browser would: sign in if asked,
 * consent if asked, and returns the redirect to the client with its code.
 */
export async function authorize(app: TestApp, client: TestClient, user: { email: string; password: string }, options: { session?: HttpSession; params?: Record<string, string | undefined> } = {}) {
  const session = options.session ?? new HttpSession();
  const request = authorizationRequest(app, client, options.params);
  let page = await session.follow(request.url, app.url);
  if (formAction(page.body, '/login')) page = await submitLogin(session, app, page, user.email, user.password);
  if (formAction(page.body, '/consent')) page = await submitConsent(session, app, page);
  expect(page.location, `expected a redirect to the client, got ${page.status} at ${page.url}: ${page.body.slice(0, 300)}`).toMatch(/^http:\/\/localhost:9\/cb/);
  const callback = new URL(page.location!);
  return { session, request, callback, code: callback.searchParams.get('code') };
}

export async function tokenRequest(app: TestApp, client: TestClient, params: Record<string, string>, path = '/token') {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const body = new URLSearchParams(params);
  if (client.clientSecret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
  else body.set('client_id', client.clientId);
  const response = await fetch(new URL(path, app.url), { method: 'POST', headers, body });
  const text = await response.text(); // revocation answers 200 with an empty body
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
}

export async function redeemCode(app: TestApp, client: TestClient, code: string, verifier: string) {
  return tokenRequest(app, client, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
}

/** Signs in and redeems the code: the tokens a relying party ends up with. */
export async function signInForTokens(app: TestApp, client: TestClient, user: { email: string; password: string }, options: { session?: HttpSession; params?: Record<string, string | undefined> } = {}) {
  const flow = await authorize(app, client, user, options);
  const tokens = await redeemCode(app, client, flow.code!, flow.request.verifier);
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return { ...flow, tokens: tokens.body };
}
