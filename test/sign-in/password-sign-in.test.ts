import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordSignInRules } from '../../src/libraries/sign-in/password.ts';
import { HttpSession, formAction, inputValue, type PageResponse } from '../helpers/http-session.ts';
import { authorizationRequest, authorize, createUser, registerClient, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

/** The refusal shown, under its field or in the banner. */
const alert = (page: PageResponse) => page.body.match(/(?:role="alert"|class="field-error")>([^<]*)</)?.[1];

describe('password sign-in', () => {
  let app: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    app = await startApp({ env: { TRUST_PROXY: 'true' } }); // tests speak from many addresses via X-Forwarded-For
    client = await registerClient(app);
  });
  afterAll(() => app?.close());

  async function loginPage(session = new HttpSession(), params: Record<string, string> = {}) {
    const page = await session.follow(authorizationRequest(app, client, params).url, app.url);
    expect(formAction(page.body, '/login')).toBeTruthy();
    return { session, page };
  }

  it('asks for the missing field instead of failing', async () => {
    const { session, page } = await loginPage();
    const noEmail = await submitLogin(session, app, page, '', 'whatever');
    expect(noEmail.status).toBe(400);
    expect(alert(noEmail)).toBe('Enter your email address.');
    const noPassword = await submitLogin(session, app, page, 'someone@example.test', '');
    expect(alert(noPassword)).toBe('Enter your password.');
  });

  it('blocks an address after repeated failures from one IP, and says for how long', async () => {
    const user = await createUser(app);
    const { session, page } = await loginPage();
    for (let i = 0; i < passwordSignInRules.accountAndIp.limit; i++) {
      expect((await submitLogin(session, app, page, user.email, `wrong ${i}`)).status).toBe(401);
    }
    const blocked = await submitLogin(session, app, page, user.email, user.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(alert(blocked)).toMatch(/^Too many attempts\. Try again in \d+ seconds\.$/);
  });

  it('throttles unknown addresses exactly like known ones', async () => {
    const { session, page } = await loginPage();
    for (let i = 0; i < passwordSignInRules.accountAndIp.limit; i++) {
      expect((await submitLogin(session, app, page, 'ghost@example.test', `wrong ${i}`)).status).toBe(401);
    }
    expect((await submitLogin(session, app, page, 'ghost@example.test', 'anything')).status).toBe(429);
  });

  it('believes only the address the trusted proxy appended to X-Forwarded-For', async () => {
    const response = await fetch(`${app.url}/healthz`, { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.77' } });
    const id = response.headers.get('x-request-id');
    expect(app.logs.find((line) => line.req_id === id)?.ip).toBe('203.0.113.77');
  });

  it('gives a burst of concurrent attempts no more tries than the limit', async () => {
    const user = await createUser(app);
    const burst = new HttpSession({ 'x-forwarded-for': '198.51.100.200' });
    const { page } = await loginPage(burst);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => submitLogin(burst, app, page, user.email, `wrong ${i}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(passwordSignInRules.accountAndIp.limit);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
  });

  it('keeps blocking, without failing, after a very long run of failures', async () => {
    const user = await createUser(app);
    const stranger = new HttpSession({ 'x-forwarded-for': '198.51.100.201' });
    const { page } = await loginPage(stranger);
    expect((await submitLogin(stranger, app, page, user.email, 'wrong')).status).toBe(401);
    await app.services.db.knex('throttles').where('key', 'like', 'signin:account-ip:%:198.51.100.201')
      .update({ failures: 5000, blocked_until: null });
    expect((await submitLogin(stranger, app, page, user.email, 'wrong again')).status).toBe(401);
    expect((await submitLogin(stranger, app, page, user.email, user.password)).status).toBe(429);
  });

  it('keeps the owner\'s known browser signing in while strangers have locked the account', async () => {
    const user = await createUser(app);
    const owner = new HttpSession({ 'x-forwarded-for': '192.0.2.44' });
    await authorize(app, client, user, { session: owner }); // the owner's browser now knows this account
    expect(owner.cookie('lk_known')).toBeTruthy();

    // strangers fail until the account is locked for new browsers, some claiming the owner's own address
    for (let i = 0; i < passwordSignInRules.account.limit; i++) {
      const stranger = new HttpSession({ 'x-forwarded-for': i % 2 ? '192.0.2.44' : `203.0.113.${i + 1}` });
      const { page } = await loginPage(stranger);
      expect((await submitLogin(stranger, app, page, user.email, `guess ${i}`)).status).not.toBe(303);
    }
    const newcomer = new HttpSession({ 'x-forwarded-for': '198.51.100.7' });
    const { page: newPage } = await loginPage(newcomer);
    expect((await submitLogin(newcomer, app, newPage, user.email, user.password)).status).toBe(429);

    const { page } = await loginPage(owner, { prompt: 'login' });
    const signedIn = await submitLogin(owner, app, page, user.email, user.password);
    expect(signedIn.location).toMatch(/^http:\/\/localhost:9\/cb\?code=/);
  });

  it('refuses a disabled account, saying so only to whoever knows its password', async () => {
    const user = await createUser(app);
    await app.cli('users', 'disable', user.email);
    const { session, page } = await loginPage();
    const wrong = await submitLogin(session, app, page, user.email, 'not it');
    expect(alert(wrong)).toBe('The email address or password is incorrect.');
    const right = await submitLogin(session, app, page, user.email, user.password);
    expect(right.status).toBe(403);
    expect(alert(right)).toMatch(/disabled/);
    await app.cli('users', 'enable', user.email);
    const again = await submitLogin(session, app, page, user.email, user.password);
    expect(formAction(again.body, '/consent')).toBeTruthy(); // signed in; the next step is consent
  });

  it('keeps a session cookie for the browser session only, unless asked to keep the person signed in', async () => {
    const user = await createUser(app);
    const brief = await loginPage();
    await submitLogin(brief.session, app, brief.page, user.email, user.password);
    expect(brief.session.cookie('lk_session')?.expires).toBeUndefined();

    const kept = await loginPage();
    await submitLogin(kept.session, app, kept.page, user.email, user.password, { remember: 'yes' });
    expect(kept.session.cookie('lk_session')?.expires).toBeGreaterThan(Date.now() + 24 * 60 * 60 * 1000);
  });

  it('rejects a sign-in form without its CSRF token and changes nothing', async () => {
    const user = await createUser(app);
    const { session, page } = await loginPage();
    const action = new URL(formAction(page.body, '/login')!, app.url).href;
    const forged = await session.request(action, { form: { email: user.email, password: user.password } });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('Please try again');
    const wrongToken = await session.request(action, { form: { _csrf: 'x'.repeat(43), email: user.email, password: user.password } });
    expect(wrongToken.status).toBe(403);
    expect(session.cookie('lk_session')).toBeUndefined();
    // the real form still works
    const real = await session.request(action, { form: { _csrf: inputValue(page.body, '_csrf')!, email: user.email, password: user.password } });
    expect(real.status).toBe(303);
  });
});
