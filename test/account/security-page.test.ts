import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppWithMail, submitForm } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction, inputValue, type PageResponse } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { ageSignIn, enrolTotp, nextStepCode, openSignedIn, secretOn } from '../helpers/account-pages.ts';
import { createUser, submitLogin } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

// The account security page over real HTTP: signing in to it through Latchkey's own sign-in,
// setting up an authenticator app, recovery codes, and the recent-sign-in rule for changes.
let app: TestApp;
let sink: MailSink;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, close } = await startAppWithMail()));
afterAll(() => close?.());

type User = Awaited<ReturnType<typeof createUser>>;


describe('account security page', () => {
  it('sends a visitor through Latchkey\'s sign-in and back to the page asked for', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const first = await session.request(`${app.url}/account/security`);
    expect(first.status).toBe(303);
    const auth = new URL(first.location!);
    expect(auth.origin + auth.pathname).toBe(`${app.url}/auth`);
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      client_id: 'latchkey-account', response_type: 'code', scope: 'openid', code_challenge_method: 'S256', redirect_uri: `${app.url}/account/callback`,
    });
    expect(auth.searchParams.get('prompt')).toBeNull();

    const login = await session.follow(first.location!, app.url);
    expect(formAction(login.body, '/login'), 'Latchkey\'s sign-in page').toBeTruthy();
    const page = await submitLogin(session, app, login, user.email, user.password);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${app.url}/account/security`);
    expect(page.body).toContain('Account security');
    expect(page.body).toContain(user.email);
    expect(page.body).toContain('href="/session/end"');
    expect(page.body).toContain('Add an authenticator app');
    expect(page.body).toContain('data-webauthn="register"');
    expect(page.headers.get('cache-control')).toBe('no-store');
    // Signed in, the page opens at once; no consent was asked of this first-party client.
    expect((await session.request(`${app.url}/account/security`)).status).toBe(200);
  });

  it('keeps the account client out of the clients table and refuses a callback with a foreign state', async () => {
    const listed = await app.cli('clients', 'list', '--json');
    expect(listed.stdout).not.toContain('latchkey-account');
    expect((await app.cli('clients', 'delete', 'latchkey-account')).code).not.toBe(0);

    const session = new HttpSession();
    await session.request(`${app.url}/account/security`); // sets the state cookie
    const forged = await session.request(`${app.url}/account/callback?code=x&state=forged`);
    expect(forged.status).toBe(400);
  });

  it('sets up an authenticator app from the secret shown, shows recovery codes once and mails the owner', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const security = await openSignedIn(app, session, user);
    const enrolment = await submitForm(session, app, security, '/account/security/totp');
    expect(enrolment.body).toMatch(/<svg[^>]*viewBox/);
    expect(enrolment.body).not.toMatch(/style=/);
    expect(enrolment.body).toMatch(/autocomplete="one-time-code"/);
    expect(enrolment.body).toMatch(/inputmode="numeric"/);
    const secret = secretOn(enrolment)!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    // A wrong code changes nothing and shows the same secret again.
    const wrong = await submitForm(session, app, enrolment, '/account/security/totp/confirm', { code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 120 }) });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('That code is not right');
    expect(secretOn(wrong)).toBe(secret);
    expect((await app.services.secondFactors.overview(user.id)).totp).toBe(false);

    const done = await submitForm(session, app, wrong, '/account/security/totp/confirm', { code: await generate({ secret }) });
    expect(done.status).toBe(200);
    expect(done.body).toContain('never shown again');
    const codes = [...done.body.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map(([, code]) => code);
    expect(codes).toHaveLength(10);

    const mail = await sink.next(user.email);
    expect(mail.subject).toMatch(/Security change/);
    expect(mail.text).toContain('An authenticator app was added');

    const after = await session.follow(`${app.url}/account/security?done=codes-saved`, app.url);
    expect(after.body).toMatch(/On since/);
    expect(after.body).toContain('10 of 10 left');
    for (const code of codes) expect(after.body).not.toContain(code);
  });

  it('makes new recovery codes on demand, shown once, and the old ones stop working', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const security = await openSignedIn(app, session, user);
    const { done } = await enrolTotp(app, session, security);
    const oldCodes = [...done.body.matchAll(/<code>([a-z0-9]{5}-[a-z0-9]{5})<\/code>/g)].map(([, code]) => code!);
    await sink.next(user.email);

    const page = await session.follow(`${app.url}/account/security`, app.url);
    const fresh = await submitForm(session, app, page, '/account/security/recovery-codes');
    const newCodes = [...fresh.body.matchAll(/<code>([a-z0-9]{5}-[a-z0-9]{5})<\/code>/g)].map(([, code]) => code!);
    expect(newCodes).toHaveLength(10);
    expect(fresh.body).toContain('old codes no longer work');
    expect((await sink.next(user.email)).text).toContain('New recovery codes were made');

    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    await expect(app.services.secondFactors.verifyRecoveryCode({ account, code: oldCodes[0], ip: '192.0.2.1' })).rejects.toThrow(/not right/);
    await expect(app.services.secondFactors.verifyRecoveryCode({ account, code: newCodes[0], ip: '192.0.2.1' })).resolves.toBe('otp');
  });

  it('refuses a change after a sign-in older than 5 minutes, and makes it after signing in again', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const security = await openSignedIn(app, session, user);
    const { secret } = await enrolTotp(app, session, security);
    await sink.next(user.email);
    const page = await session.follow(`${app.url}/account/security`, app.url);
    expect(formAction(page.body, '/account/security/totp/remove')).toBeTruthy();

    await ageSignIn(app, session, 6 * 60);
    const stale = await session.request(new URL('/account/security/totp/remove', app.url).href, { form: { _csrf: inputValue(page.body, '_csrf')! } });
    expect(stale.status).toBe(303);
    expect(stale.location).toBe(`${app.url}/account/sign-in-again?return=%2Faccount%2Fsecurity`);
    const again = await session.request(stale.location!);
    expect(again.body).toContain('Sign in again to change your account.');
    expect((await app.services.secondFactors.overview(user.id)).totp).toBe(true);

    // The link asks for a new sign-in (prompt=login) even though a session exists.
    const signInUrl = again.body.match(/href="(\/auth\?[^"]+)"/)?.[1]?.replace(/&amp;/g, '&');
    expect(new URL(signInUrl!, app.url).searchParams.get('prompt')).toBe('login');
    let back = await session.follow(new URL(signInUrl!, app.url).href, app.url);
    expect(formAction(back.body, '/login'), 'asked to sign in again').toBeTruthy();
    back = await submitLogin(session, app, back, user.email, user.password);
    expect(formAction(back.body, '/mfa/totp'), 'the account now has a second factor, which the sign-in asks for').toBeTruthy();
    back = await submitForm(session, app, back, '/mfa/totp', { code: await nextStepCode(secret) });
    expect(back.url).toBe(`${app.url}/account/security`);

    const removed = await submitForm(session, app, back, '/account/security/totp/remove');
    expect(removed.status).toBe(200);
    expect(removed.body).toContain('Your authenticator app was removed.');
    expect(removed.body).toContain('Add an authenticator app');
    const overview = await app.services.secondFactors.overview(user.id);
    expect(overview).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
    expect((await sink.next(user.email)).text).toContain('Your authenticator app was removed.');
  });

  it('refuses passkey options and changes without a CSRF token or a recent sign-in', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const page = await openSignedIn(app, session, user);
    const csrf = inputValue(page.body, '_csrf')!;
    const optionsUrl = `${app.url}/account/security/passkeys/options`;
    const json = { accept: 'application/json' };

    expect((await session.request(optionsUrl, { method: 'POST', headers: json })).status).toBe(403);
    const options = await session.request(optionsUrl, { method: 'POST', headers: { ...json, 'x-csrf-token': csrf } });
    expect(options.status).toBe(200);
    const body = JSON.parse(options.body) as { challengeId: string; options: { rp: { id: string }; challenge: string } };
    expect(body.challengeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.options.rp.id).toBe('localhost');

    await ageSignIn(app, session, 10 * 60);
    const stale = await session.request(optionsUrl, { method: 'POST', headers: { ...json, 'x-csrf-token': csrf } });
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body).error_description).toBe('Sign in again to change your account: the last sign-in was more than 5 minutes ago.');
    const regenerate = await session.request(`${app.url}/account/security/recovery-codes`, { form: { _csrf: csrf } });
    expect(regenerate.location).toBe(`${app.url}/account/sign-in-again?return=%2Faccount%2Fsecurity`);
  });
});
