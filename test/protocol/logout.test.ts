import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, formAction, inputValue } from '../helpers/http-session.ts';
import { authorizationRequest, createUser, registerClient, signInForTokens, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

describe('RP-initiated logout', () => {
  let app: TestApp;
  let client: TestClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    app = await startApp();
    client = await registerClient(app, { name: 'Logout RP' });
    user = await createUser(app);
  });
  afterAll(() => app?.close());

  async function confirmLogout(session: HttpSession, params: Record<string, string>) {
    const url = new URL('/session/end', app.url);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const page = await session.follow(url.href, app.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Yes, sign me out');
    const action = page.body.match(/<form[^>]*action="([^"]+)"/)![1]!;
    return session.submit(new URL(action.replace(/&amp;/g, '&'), app.url).href, { xsrf: inputValue(page.body, 'xsrf')!, logout: 'yes' }, app.url);
  }

  it('asks for confirmation, ends the session and returns to the registered URI with state', async () => {
    const { session, tokens } = await signInForTokens(app, client, user);
    const back = await confirmLogout(session, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://localhost:9/bye', state: 'bye-state' });
    const location = new URL(back.location!);
    expect(location.origin + location.pathname).toBe('http://localhost:9/bye');
    expect(location.searchParams.get('state')).toBe('bye-state');

    const silent = await session.follow(authorizationRequest(app, client, { prompt: 'none' }).url, app.url);
    expect(new URL(silent.location!).searchParams.get('error')).toBe('login_required');
    const fresh = await session.follow(authorizationRequest(app, client).url, app.url);
    expect(formAction(fresh.body, '/login')).toBeTruthy();
  });

  it('shows a signed-out page when no return URI is given', async () => {
    const { session } = await signInForTokens(app, client, user);
    const done = await confirmLogout(session, { client_id: client.clientId });
    expect(done.status).toBe(200);
    expect(done.body).toContain('You have signed out');
  });

  it('refuses an unregistered post_logout_redirect_uri', async () => {
    const { session, tokens } = await signInForTokens(app, client, user);
    const url = new URL('/session/end', app.url);
    url.searchParams.set('id_token_hint', tokens.id_token);
    url.searchParams.set('post_logout_redirect_uri', 'https://attacker.example/bye');
    const page = await session.request(url.href);
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
  });
});
