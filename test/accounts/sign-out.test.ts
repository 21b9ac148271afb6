// The sign-out library over real sign-ins (HTTP, real database): what each scope ends and keeps,
// and which applications are owed a back-channel logout.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOut, type SignOutScope } from '../../src/libraries/sign-out.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { authorizationRequest, createUser, registerClient, signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;

beforeAll(async () => {
  app = await startApp();
  client = await registerClient(app);
  // Tell the test client's registration to take logouts (nothing listens: only what is queued counts here).
  await app.services.clients.updateClient(client.clientId, { backchannelLogoutUri: 'https://rp.example/logout' });
});
afterAll(() => app?.close());

const digest = (value: string) => crypto.createHash('sha256').update(value).digest('base64url');
const sessionIdOf = (browser: HttpSession) => digest(browser.cookie('lk_session')!.value);
const end = (accountId: string, scope: SignOutScope) => app.services.queries.transaction((q) => signOut(q, accountId, scope));
const refresh = (refreshToken: string) => tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
const grantRows = (accountId: string) => app.services.db.knex('oidc_payloads').where({ model: 'Grant', account_id: accountId }).select('id');
const queued = (accountId: string) => app.services.db.knex('backchannel_logouts').where({ account_id: accountId }).select('client_id', 'sid');

/** Two browsers signed in to the test client with refresh tokens. */
async function twoBrowsers() {
  const user = await createUser(app);
  const params = { scope: 'openid email offline_access', prompt: 'consent' };
  const [a, b] = [new HttpSession(), new HttpSession()];
  const first = await signInForTokens(app, client, user, { session: a, params });
  const second = await signInForTokens(app, client, user, { session: b, params });
  return { user, a, b, tokensA: first.tokens, tokensB: second.tokens };
}

describe('signing out', () => {
  it('ends every other browser but keeps this one\'s applications working, and owes a logout only for the others', async () => {
    const { user, a, tokensA, tokensB } = await twoBrowsers();
    expect(await grantRows(user.id)).toHaveLength(2);

    await end(user.id, { everywhere: true, keepSession: sessionIdOf(a) });
    expect((await refresh(tokensA.refresh_token)).status, 'this browser\'s application still refreshes').toBe(200);
    expect((await refresh(tokensB.refresh_token)).body.error).toBe('invalid_grant');
    expect(await grantRows(user.id), 'only this browser\'s grant is left').toHaveLength(1);
    const sessions = await app.services.queries.oidcPayloads.listLivePayloadsOfAccount('Session', user.id);
    expect(sessions.map((session) => session.id)).toEqual([sessionIdOf(a)]);
    expect(await queued(user.id)).toEqual([{ client_id: client.clientId, sid: null }]); // one sub-only token (no sid asked for)
  });

  it('ends one browser with its grant and tokens, leaving nothing of it behind and the other browser as it was', async () => {
    const { user, a, b, tokensA, tokensB } = await twoBrowsers();
    await end(user.id, { session: sessionIdOf(b) });
    expect((await refresh(tokensB.refresh_token)).body.error).toBe('invalid_grant');
    expect((await refresh(tokensA.refresh_token)).status).toBe(200);
    expect(await grantRows(user.id), 'the ended browser\'s grant went with it').toHaveLength(1);
    expect((await app.services.queries.oidcPayloads.listLivePayloadsOfAccount('Session', user.id)).map((session) => session.id)).toEqual([sessionIdOf(a)]);
  });

  it('tells an application nothing, and lists it nowhere, when it only asked (prompt=none) and the person never signed in to it', async () => {
    const { user, a } = await twoBrowsers();
    const curious = await registerClient(app, { name: 'Curious' });
    await app.services.clients.updateClient(curious.clientId, { backchannelLogoutUri: 'https://curious.example/logout' });
    const asked = await a.request(authorizationRequest(app, curious, { prompt: 'none' }).url);
    expect(new URL(asked.location!).searchParams.get('error')).toBe('consent_required');

    const [session] = (await app.services.queries.oidcPayloads.listLivePayloadsOfAccount('Session', user.id)).filter((each) => each.id === sessionIdOf(a));
    expect(Object.keys(session!.payload.authorizations as object)).not.toContain(curious.clientId);
    const view = await app.services.accountAdmin.view(user.id);
    expect(view.sessions.flatMap((each) => each.applications)).not.toContain(curious.clientId);

    await end(user.id, { everywhere: true });
    expect((await queued(user.id)).map((row) => row.client_id)).toEqual([client.clientId]);
  });

  it('ends what one application holds and owes only that application a logout', async () => {
    const { user, tokensA } = await twoBrowsers();
    const other = await registerClient(app, { name: 'Other' });
    await app.services.clients.updateClient(other.clientId, { backchannelLogoutUri: 'https://other.example/logout' });
    const kept = await signInForTokens(app, other, user, { params: { scope: 'openid offline_access', prompt: 'consent' } });

    await end(user.id, { client: client.clientId });
    expect((await refresh(tokensA.refresh_token)).body.error).toBe('invalid_grant');
    expect((await tokenRequest(app, other, { grant_type: 'refresh_token', refresh_token: kept.tokens.refresh_token })).status).toBe(200);
    expect((await queued(user.id)).map((row) => row.client_id)).toEqual([client.clientId]);
  });
});
