// Dynamic client registration (RFC 7591) and its management (RFC 7592), registered through
// openid-client as a relying party would, and the rules a self-registered client lives by.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oc from 'openid-client';
import { authorize, createUser, redeemCode, tokenRequest } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let initialToken: string;

const register = (metadata: Record<string, unknown>, token: string | undefined = initialToken) => fetch(`${app.url}/reg`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(metadata),
});

beforeAll(async () => {
  app = await startApp({ env: { DYNAMIC_REGISTRATION: 'on' } });
  const made = await app.cli('clients', 'initial-token', 'create', '--expires-in', '1h', '--json');
  expect(made.code, made.stderr).toBe(0);
  initialToken = JSON.parse(made.stdout).initial_access_token;
});
afterAll(() => app?.close());

describe('dynamic client registration', () => {
  it('registers a client through openid-client with an initial access token, and the client signs a person in', async () => {
    const config = await oc.dynamicClientRegistration(new URL(app.url), {
      client_name: 'Self-registered', redirect_uris: ['http://localhost:9/cb'], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
    }, undefined, { initialAccessToken: initialToken, execute: [oc.allowInsecureRequests] });
    const metadata = config.clientMetadata();
    expect(metadata.client_id).toMatch(/^[0-9a-f]{32}$/);
    expect(metadata.client_secret).toBeTruthy();
    expect(metadata.scope).toBe('openid email profile offline_access roles');
    const client = { clientId: metadata.client_id, clientSecret: metadata.client_secret as string };
    const user = await createUser(app);
    const flow = await authorize(app, client, user); // asked for consent: a self-registered client never skips it
    expect((await redeemCode(app, client, flow.code!, flow.request.verifier)).status).toBe(200);
    const [created] = (await app.services.audit.list({ clientId: client.clientId, types: ['client.created'], limit: 1 })).events;
    expect(created!.details).toMatchObject({ dynamic: true });
  });

  it('lets a client read, change and delete its registration with its registration access token (RFC 7592)', async () => {
    const response = await register({ client_name: 'Managed', redirect_uris: ['https://managed.example/cb'] });
    expect(response.status).toBe(201);
    const registered = await response.json() as Record<string, string>;
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const read = await fetch(registered.registration_client_uri!, { headers: auth(registered.registration_access_token!) });
    expect(((await read.json()) as { client_name: string }).client_name).toBe('Managed');

    const update = await fetch(registered.registration_client_uri!, {
      method: 'PUT', headers: { ...auth(registered.registration_access_token!), 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: registered.client_id, client_secret: registered.client_secret, client_name: 'Managed 2', redirect_uris: ['https://managed.example/cb2'], scope: 'openid admin' }),
    });
    expect(update.status).toBe(400); // an API scope, even on update
    const updated = await fetch(registered.registration_client_uri!, {
      method: 'PUT', headers: { ...auth(registered.registration_access_token!), 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: registered.client_id, client_secret: registered.client_secret, client_name: 'Managed 2', redirect_uris: ['https://managed.example/cb2'] }),
    });
    expect(updated.status).toBe(200);
    const now = await updated.json() as Record<string, string>;
    expect(now.client_name).toBe('Managed 2');
    expect(now.registration_access_token).not.toBe(registered.registration_access_token); // rotated
    expect((await app.services.clients.showClient(registered.client_id!)).redirect_uris).toEqual(['https://managed.example/cb2']);

    const removed = await fetch(registered.registration_client_uri!, { method: 'DELETE', headers: auth(now.registration_access_token!) });
    expect(removed.status).toBe(204);
    expect((await app.cli('clients', 'show', registered.client_id!)).code).toBe(1);
  });

  it('refuses a registration without a valid initial access token, and what a self-registered client may not have', async () => {
    expect((await register({ redirect_uris: ['https://x.example/cb'] }, '')).status).toBe(401);
    expect((await register({ redirect_uris: ['https://x.example/cb'] }, 'made-up-token')).status).toBe(401);
    const machine = await register({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'admin' });
    expect(machine.status).toBe(400);
    expect(((await machine.json()) as { error: string }).error).toBe('invalid_client_metadata');
    const http = await register({ redirect_uris: ['http://evil.example/cb'] });
    expect(((await http.json()) as { error: string }).error).toBe('invalid_redirect_uri');

    const sneaky = await register({ client_name: 'Sneaky', redirect_uris: ['https://sneaky.example/cb'], latchkey_skip_consent: true, grant_types: ['authorization_code', 'client_credentials'], response_types: ['code'] });
    expect(sneaky.status).toBe(201);
    const client = await sneaky.json() as { client_id: string; client_secret: string };
    expect((await app.services.clients.showClient(client.client_id)).skip_consent).toBe(false);
    const scoped = await tokenRequest(app, { clientId: client.client_id, clientSecret: client.client_secret }, { grant_type: 'client_credentials', scope: 'admin' });
    expect(scoped.body.error).toBe('invalid_scope');
  });

  it('is off unless DYNAMIC_REGISTRATION=on', async () => {
    const off = await startApp();
    try {
      const discovery = await (await fetch(`${off.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
      expect(discovery.registration_endpoint).toBeUndefined();
      expect((await fetch(`${off.url}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    } finally {
      await off.close();
    }
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(discovery.registration_endpoint).toBe(`${app.url}/reg`);
  });
});
