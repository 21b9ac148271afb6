import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, registerClient, signInForTokens, tokenRequest } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

describe('operations', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startApp(); });
  afterAll(() => app?.close());

  it('answers /healthz while the process runs and /readyz while the database answers', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('reports not ready while draining for shutdown', async () => {
    app.services.lifecycle.draining = true;
    try {
      expect((await fetch(`${app.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      app.services.lifecycle.draining = false;
    }
  });

  it('logs one JSON line per request, with its id, and never a code, token, password or secret', async () => {
    const client = await registerClient(app);
    const user = await createUser(app, { password: 'a very particular password' });
    const { tokens, code, request } = await signInForTokens(app, client, user, { params: { scope: 'openid offline_access', prompt: 'consent', login_hint: user.email } });
    const refreshed = await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    const response = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
    const requestId = response.headers.get('x-request-id');

    const requestLines = app.logs.filter((line) => line.msg === 'request');
    const line = requestLines.find((l) => l.req_id === requestId);
    expect(line).toMatchObject({ method: 'GET', path: '/me', status: 200, service: 'latchkey' });
    expect(typeof line!.ms).toBe('number');
    expect(requestLines.filter((l) => l.req_id === requestId)).toHaveLength(1);
    expect(requestLines.some((l) => l.path === '/token' && l.status === 200)).toBe(true);

    const everything = JSON.stringify(app.logs);
    for (const secret of [code!, request.verifier, tokens.access_token, tokens.refresh_token, tokens.id_token, refreshed.body.access_token, refreshed.body.refresh_token, user.password, client.clientSecret!, user.email]) {
      expect(everything).not.toContain(secret);
    }
    expect(requestLines.every((l) => !String(l.path).includes('?'))).toBe(true);
  });

  it('reports not ready when the database stops answering', async () => {
    await app.services.db.knex.destroy();
    const response = await fetch(`${app.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'unavailable' });
  });
});
