// API resources and RFC 9068 access tokens, checked as a resource server would check them:
// jose against /jwks, with the audience, issuer, expiry and the at+jwt type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { createUser, registerClient, signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const INVOICES = 'https://api.example.test/invoices';
let app: TestApp;
let client: TestClient;
let jwks: ReturnType<typeof jose.createRemoteJWKSet>;

async function machineClient(): Promise<TestClient> {
  const made = JSON.parse((await app.cli('clients', 'create', '--name', 'Billing job', '--grant-type', 'client_credentials', '--json')).stdout);
  return { clientId: made.client_id, clientSecret: made.client_secret };
}

async function verifyAsResourceServer(token: string) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { issuer: app.url, audience: INVOICES, typ: 'at+jwt' });
  return { payload, protectedHeader };
}

beforeAll(async () => {
  app = await startApp();
  jwks = jose.createRemoteJWKSet(new URL(`${app.url}/jwks`));
  client = await registerClient(app, { skipConsent: true });
  const cli = async (...args: string[]) => {
    const result = await app.cli(...args);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  };
  await cli('resources', 'create', '--identifier', INVOICES, '--name', 'Invoices', '--permission', 'read:invoices=See invoices', '--permission', 'write:invoices', '--token-ttl', '600');
  await cli('roles', 'create', '--name', 'accountant');
  await cli('roles', 'permissions', 'accountant', '--set', `${INVOICES}#read:invoices`, '--set', `${INVOICES}#write:invoices`);
  await cli('roles', 'create', '--name', 'auditor');
  await cli('roles', 'permissions', 'auditor', '--set', `${INVOICES}#read:invoices`);
});
afterAll(() => app?.close());

describe('access tokens for an API resource', () => {
  it('give a person the permissions asked for that their roles hold, as a JWT for the resource', async () => {
    const user = await createUser(app);
    await app.cli('users', 'grant-role', user.email, 'auditor');
    const { tokens } = await signInForTokens(app, client, user, { params: { scope: 'openid read:invoices write:invoices', resource: INVOICES } });
    const { payload, protectedHeader } = await verifyAsResourceServer(tokens.access_token);
    expect(protectedHeader).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(payload).toMatchObject({ sub: user.id, client_id: client.clientId, scope: 'read:invoices' });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(tokens.scope?.split(' ')).toContain('read:invoices');

    // A new role shows in the next sign-in's token.
    await app.cli('users', 'grant-role', user.email, 'accountant');
    const again = await signInForTokens(app, client, user, { params: { scope: 'openid read:invoices write:invoices', resource: INVOICES, prompt: 'login' } });
    expect((await verifyAsResourceServer(again.tokens.access_token)).payload.scope).toBe('read:invoices write:invoices');
  });

  it('give a machine client the permissions its roles hold, and nothing without a role', async () => {
    const machine = await machineClient();
    const ask = () => tokenRequest(app, machine, { grant_type: 'client_credentials', resource: INVOICES, scope: 'read:invoices write:invoices' });
    const none = await ask();
    expect(none.status, JSON.stringify(none.body)).toBe(200);
    expect(none.body.scope).toBeUndefined();
    expect((await app.cli('roles', 'grant-client', 'auditor', machine.clientId)).code).toBe(0);
    const granted = await ask();
    const { payload } = await verifyAsResourceServer(granted.body.access_token);
    expect(payload).toMatchObject({ client_id: machine.clientId, scope: 'read:invoices', aud: INVOICES });
    expect(payload.sub).toBe(machine.clientId);
    await expect(jose.jwtVerify(granted.body.access_token, jwks, { issuer: app.url, audience: 'https://other.example.test' })).rejects.toThrow();
  });

  it('refuse a resource nobody registered, and stay opaque without one', async () => {
    const machine = await machineClient();
    const unknown = await tokenRequest(app, machine, { grant_type: 'client_credentials', resource: 'https://unknown.example.test/api' });
    expect(unknown.body.error, JSON.stringify(unknown)).toBe('invalid_target');
    const plain = await tokenRequest(app, machine, { grant_type: 'client_credentials' });
    expect(plain.body.access_token.split('.')).toHaveLength(1); // opaque, as before
    const user = await createUser(app);
    const { tokens } = await signInForTokens(app, client, user);
    expect(tokens.access_token.split('.')).toHaveLength(1);
  });

  it('keep a permission out of every token once its resource drops it', async () => {
    expect((await app.cli('resources', 'update', INVOICES, '--permission', 'read:invoices')).code).toBe(0);
    expect(JSON.parse((await app.cli('roles', 'permissions', 'accountant', '--json')).stdout).permissions).toEqual([{ resource: INVOICES, permission: 'read:invoices' }]);
    const bad = await app.cli('roles', 'permissions', 'accountant', '--set', `${INVOICES}#delete:invoices`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not one its API resource defines');
  });
});
