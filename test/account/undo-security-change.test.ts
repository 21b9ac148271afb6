// "This wasn't me": the link in a security notice, used by the owner after someone who had the
// password changed what protects the account. It undoes what it safely can, never below what
// sign-in asked for before the change, signs out everywhere and has the owner choose a password.
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolTotp, openSignedIn } from '../helpers/account-pages.ts';
import { linkIn, openSignIn, startAppWithMail, submitForm } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, signInForTokens, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, client, close } = await startAppWithMail()));
afterAll(() => close?.());

const OWNER_PASSWORD = 'a fresh one only the owner knows';

type Mail = Awaited<ReturnType<MailSink['next']>>;

/**
 * The owner opens the notice's link, reads what it will do, presses the button (with the
 * current password when a factor is to go) and picks a new password.
 */
async function ownerUndoes(user: { email: string; password: string }, expectedUndo: RegExp, notice?: Mail) {
  notice ??= await sink.next(user.email);
  expect(notice.text).toMatch(expectedUndo);
  const owner = new HttpSession();
  const link = linkIn(notice, '/security/undo');
  const confirm = await owner.request(link);
  expect(confirm.status).toBe(200);
  expect(confirm.body).toMatch(expectedUndo);
  const choose = await submitForm(owner, app, confirm, '/security/undo', formAction(confirm.body, '/security/undo') && /name="password"/.test(confirm.body) ? { password: user.password } : {});
  expect(choose.body).toContain('Choose a new password');
  const saved = await submitForm(owner, app, choose, '/password/reset', { password: OWNER_PASSWORD });
  expect(saved.body).toContain('Password changed');
  return { link, choose };
}

/**
 * Sets up another authenticator app in place of the account's (the page offers no form for it
 * while one is on; the route takes one), signing in with `secret`'s code on the way.
 */
async function replaceTotp(session: HttpSession, user: { email: string; password: string }, secret: string) {
  const security = await openSignedIn(app, session, user, '/account/security', secret);
  const csrf = security.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const enrolment = await session.request(`${app.url}/account/security/totp`, { form: { _csrf: csrf } });
  const replacement = enrolment.body.match(/id="totp-secret">([A-Z2-7 ]+)</)![1]!.replace(/ /g, '');
  await submitForm(session, app, enrolment, '/account/security/totp/confirm', { code: await generate({ secret: replacement }) });
}

async function signInPage(email: string, password: string) {
  const session = new HttpSession();
  const { page } = await openSignIn(app, client, session);
  return { session, page: await submitLogin(session, app, page, email, password) };
}

describe('"this wasn\'t me" in a security notice', () => {
  it('removes what was added since the change it reports, later changes included, whichever notice is used first', async () => {
    const user = await createUser(app);
    const stranger = new HttpSession();
    const { secret } = await enrolTotp(app, stranger, await openSignedIn(app, stranger, user));
    const first = await sink.next(user.email);
    // Then replaces it with another app.
    await replaceTotp(stranger, user, secret);
    const later = await sink.next(user.email);
    expect(later.text).toMatch(/It cannot remove the authenticator app/); // on its own, it replaced the only factor

    await ownerUndoes(user, /It removes the authenticator app added since/, first);
    expect(await app.services.secondFactors.overview(user.id)).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
    expect(formAction((await signInPage(user.email, OWNER_PASSWORD)).page.body, '/consent')).toBeTruthy();
  });

  it('takes the current password to remove a factor: the mailbox alone cannot take off the owner\'s first factor', async () => {
    const user = await createUser(app);
    const ownerBrowser = new HttpSession();
    await enrolTotp(app, ownerBrowser, await openSignedIn(app, ownerBrowser, user));
    const notice = await sink.next(user.email);
    const intruder = new HttpSession(); // reads the owner's mail, does not know the password
    const confirm = await intruder.request(linkIn(notice, '/security/undo'));
    expect(confirm.body).toContain('Your current password');
    let page = confirm;
    for (let attempt = 1; attempt <= 5; attempt++) {
      page = await submitForm(intruder, app, page, '/security/undo', { password: `guess number ${attempt}` });
      expect(page.status).toBe(400);
      expect(page.body).toContain('That is not the current password');
    }
    expect((await submitForm(intruder, app, page, '/security/undo', { password: user.password })).status).toBe(429);
    expect((await app.services.secondFactors.overview(user.id)).totp).toBe(true);
    expect((await signInPage(user.email, user.password)).page.body).toContain('Two-step verification');
  });

  it('ends a sign-in the stranger left just before its last step, so it cannot finish afterwards', async () => {
    const user = await createUser(app);
    const stranger = new HttpSession();
    const { page } = await openSignIn(app, client, stranger);
    const parked = await stranger.request(new URL(formAction(page.body, '/login')!, app.url).href, {
      form: { _csrf: page.body.match(/name="_csrf" value="([^"]+)"/)![1]!, email: user.email, password: user.password },
    });
    expect(parked.location).toMatch(/\/auth\//); // signed in, not yet back at /auth
    const ownerBrowser = new HttpSession();
    await enrolTotp(app, ownerBrowser, await openSignedIn(app, ownerBrowser, user)); // a change that mails a notice
    await ownerUndoes(user, /It removes the authenticator app/);
    const resumed = await stranger.follow(parked.location!, app.url);
    expect(resumed.location ?? '').not.toMatch(/code=/);
    expect(resumed.body).not.toContain('Allow access');
  });

  it('removes an authenticator app a stranger added with a phished password, with its recovery codes, and ends the stranger\'s sessions', async () => {
    const user = await createUser(app);
    const stranger = new HttpSession();
    const { tokens } = await signInForTokens(app, client, user, { session: stranger, params: { scope: 'openid offline_access', prompt: 'consent' } });
    await enrolTotp(app, stranger, await openSignedIn(app, stranger, user));
    expect(await app.services.secondFactors.hasAny(user.id)).toBe(true);

    await ownerUndoes(user, /It removes the authenticator app added since/);

    expect(await app.services.secondFactors.overview(user.id)).toMatchObject({ totp: false, passkeys: [], recoveryCodesLeft: 0 });
    expect((await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(400);
    expect((await stranger.follow(`${app.url}/account/security`, app.url)).body).not.toContain('Account security');
    expect((await signInPage(user.email, user.password)).page.status).toBe(401); // the phished password is dead
    // Back to what sign-in asked before the app was added: the password alone.
    expect(formAction((await signInPage(user.email, OWNER_PASSWORD)).page.body, '/consent')).toBeTruthy();
  });

  it('keeps the factors the owner had before: the mailbox alone never gets past them', async () => {
    const user = await createUser(app);
    const ownerBrowser = new HttpSession();
    const { secret } = await enrolTotp(app, ownerBrowser, await openSignedIn(app, ownerBrowser, user));
    await sink.next(user.email); // the owner's own change
    // Someone who has the password and the app code (or a stolen session) makes new recovery codes.
    const stranger = new HttpSession();
    const security = await openSignedIn(app, stranger, user, '/account/security', secret);
    const codes = await submitForm(stranger, app, security, '/account/security/recovery-codes');
    expect(codes.body).toContain('never shown again');

    await ownerUndoes(user, /It cancels your recovery codes/);
    expect(await app.services.secondFactors.overview(user.id)).toMatchObject({ totp: true, recoveryCodesLeft: 0 });
    // With the new password, the authenticator app is still asked for.
    const { page } = await signInPage(user.email, OWNER_PASSWORD);
    expect(page.body).toContain('Two-step verification');
    expect(formAction(page.body, '/mfa/totp')).toBeTruthy();
  });

  it('cannot remove an app that replaced the only factor the account had, says so, and still signs everyone out', async () => {
    const user = await createUser(app);
    const ownerBrowser = new HttpSession();
    const { secret } = await enrolTotp(app, ownerBrowser, await openSignedIn(app, ownerBrowser, user));
    await sink.next(user.email);
    // Someone with the password and a code replaces the app.
    const stranger = new HttpSession();
    await replaceTotp(stranger, user, secret);
    const notice = await sink.next(user.email);
    expect(notice.text).toContain('replaced by a new one');
    const replacement = (await app.services.queries.totpFactors.maybeFindConfirmedTotpFactor(user.id))!;

    await ownerUndoes(user, /It cannot remove the authenticator app added since/, notice);
    expect((await app.services.queries.totpFactors.maybeFindConfirmedTotpFactor(user.id))!.id).toBe(replacement.id);
    expect((await app.services.secondFactors.overview(user.id)).recoveryCodesLeft).toBe(10); // the owner's, from before
    expect((await signInPage(user.email, OWNER_PASSWORD)).page.body).toContain('Two-step verification');
    expect((await stranger.follow(`${app.url}/account/security`, app.url)).body).not.toContain('Account security');
  });

  it('works once, and opening it (as a mail scanner does) changes nothing', async () => {
    const user = await createUser(app);
    const stranger = new HttpSession();
    await enrolTotp(app, stranger, await openSignedIn(app, stranger, user));
    const notice = await sink.next(user.email);
    const link = linkIn(notice, '/security/undo');
    await fetch(link); // a scanner
    expect(await app.services.secondFactors.hasAny(user.id)).toBe(true);
    expect((await signInPage(user.email, user.password)).page.body).toContain('Two-step verification');

    const owner = new HttpSession();
    const confirm = await owner.request(link);
    expect((await submitForm(owner, app, confirm, '/security/undo', { password: user.password })).body).toContain('Choose a new password');
    const again = await new HttpSession().request(link);
    expect(again.status).toBe(400);
    const tampered = await new HttpSession().request(`${link.slice(0, -3)}xyz`);
    expect(tampered.status).toBe(400);
  });

  it('tells the owner what a notice\'s link does for a removed factor and a used recovery code', async () => {
    const user = await createUser(app);
    const browser = new HttpSession();
    const security = await openSignedIn(app, browser, user);
    const { done } = await enrolTotp(app, browser, security);
    await sink.next(user.email);
    const code = done.body.match(/<code>([a-z0-9]{5}-[a-z0-9]{5})<\/code>/)![1]!;
    const session = new HttpSession();
    const { page: again } = await openSignIn(app, client, session);
    const challenge = await submitLogin(session, app, again, user.email, user.password);
    await submitForm(session, app, challenge, '/mfa/recovery', { code });
    expect((await sink.next(user.email)).text).toMatch(/recovery code was used[\s\S]*It cancels your recovery codes/);
  });
});
