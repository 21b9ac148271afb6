// Consent is remembered per person and application, beyond the sign-in session: signing in
// again (after signing out, in another browser) asks only for scopes not allowed before, or for
// prompt=consent, or after the consent was revoked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, formAction, inputValue } from '../helpers/http-session.ts';
import { authorizationRequest, createUser, registerClient, signInForTokens, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
beforeAll(async () => {
  app = await startApp();
  client = await registerClient(app, { name: 'Remembered RP' });
});
afterAll(() => app?.close());

async function signOut(session: HttpSession, idToken: string) {
  const url = new URL('/session/end', app.url);
  url.searchParams.set('id_token_hint', idToken);
  const page = await session.follow(url.href, app.url);
  const action = page.body.match(/<form[^>]*action="([^"]+)"/)![1]!;
  await session.submit(new URL(action.replace(/&amp;/g, '&'), app.url).href, { xsrf: inputValue(page.body, 'xsrf')!, logout: 'yes' }, app.url);
}

/** Signs in on this browser and answers what the page asks; returns the page after the password. */
async function signInAgain(session: HttpSession, user: { email: string; password: string }, params: Record<string, string> = {}) {
  const page = await session.follow(authorizationRequest(app, client, params).url, app.url);
  return formAction(page.body, '/login') ? submitLogin(session, app, page, user.email, user.password) : page;
}

describe('remembered consent', () => {
  it('skips consent after signing out and in again in the same browser, and in another browser', async () => {
    const user = await createUser(app);
    const { session, tokens } = await signInForTokens(app, client, user); // allowed here, once
    await signOut(session, tokens.id_token);
    const again = await signInAgain(session, user);
    expect(again.location, again.body.slice(0, 300)).toMatch(/^http:\/\/localhost:9\/cb\?code=/);
    const elsewhere = await signInAgain(new HttpSession(), user);
    expect(elsewhere.location).toMatch(/^http:\/\/localhost:9\/cb\?code=/);
  });

  it('asks only for a scope not allowed before, and always for prompt=consent', async () => {
    const user = await createUser(app);
    await signInForTokens(app, client, user, { params: { scope: 'openid email' } });
    const more = await signInAgain(new HttpSession(), user, { scope: 'openid email profile' });
    expect(formAction(more.body, '/consent')).toBeTruthy();
    expect(more.body).toContain('See your name');
    expect(more.body).not.toContain('See your email address');
    const asked = await signInAgain(new HttpSession(), user, { prompt: 'consent' });
    expect(formAction(asked.body, '/consent')).toBeTruthy();
  });

  it('asks again once revoked, and the revocation ends the tokens the application held', async () => {
    const user = await createUser(app);
    const { tokens } = await signInForTokens(app, client, user, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    const listed = JSON.parse((await app.cli('users', 'consents', user.email, '--json')).stdout);
    expect(listed.consents, JSON.stringify(listed)).toEqual([expect.objectContaining({ client_id: client.clientId, scopes: ['offline_access', 'openid'] })]);

    const revoked = await app.cli('users', 'revoke-consent', user.email, '--client', client.clientId);
    expect(revoked.stdout).toContain('Revoked 1 consent');
    expect((await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(400);
    const again = await signInAgain(new HttpSession(), user);
    expect(formAction(again.body, '/consent')).toBeTruthy();
  });
});
