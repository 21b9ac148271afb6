// Account pre-hijacking: a stranger registers someone else's address. Whoever proves the
// address owns the account, and nothing the stranger set up survives the owner's proof.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { codeIn, linkIn, openRegistration, openSignIn, register, startAppWithMail, submitForm, uniqueEmail, withAppAndMail } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { signInForTokens, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, client, close } = await startAppWithMail()));
afterAll(() => close?.());

const STRANGER_PASSWORD = 'stranger knows this one 42';
const OWNER_PASSWORD = 'owner picks a brand new one 7';
// What a phisher would put in the name field, to have Latchkey mail it to the owner.
const PHISHING_NAME = 'Your account is locked, call +1 555 0100 now';

async function strangerRegisters(target: TestApp, rp: TestClient, mails: MailSink, email: string) {
  const stranger = new HttpSession();
  const { page } = await openRegistration(target, rp, stranger);
  const checkEmail = await register(stranger, target, page, { email, name: PHISHING_NAME, password: STRANGER_PASSWORD });
  expect(checkEmail.body).toContain('Check your email');
  return { stranger, checkEmail, mail: await mails.next(email) };
}

async function passwordSignIn(target: TestApp, rp: TestClient, email: string, password: string) {
  const session = new HttpSession();
  const { page } = await openSignIn(target, rp, session);
  return submitLogin(session, target, page, email, password);
}

describe('an address registered by a stranger', () => {
  it('mails its owner no word the stranger typed', async () => {
    const email = uniqueEmail('owner');
    const { mail } = await strangerRegisters(app, client, sink, email);
    expect(`${mail.subject} ${mail.text} ${mail.html}`).not.toContain('call +1 555');
    // Nor the mails the owner may ask for before proving the address.
    const browser = new HttpSession();
    await submitForm(browser, app, await browser.request(`${app.url}/password/forgot`), '/password/forgot', { email });
    const reset = await sink.next(email);
    expect(`${reset.text} ${reset.html}`).not.toContain('call +1 555');
  });

  it('passes to the owner who confirms with the link in a browser of their own: the stranger keeps nothing', async () => {
    const email = uniqueEmail('owner');
    const { stranger, checkEmail, mail } = await strangerRegisters(app, client, sink, email);

    const owner = new HttpSession();
    const confirm = await owner.request(linkIn(mail, '/verify-email'));
    const choose = await submitForm(owner, app, confirm, '/verify-email');
    expect(choose.body).toContain('Choose your password');
    expect(choose.body).toContain('the account is yours');
    const account = (await app.services.queries.accounts.maybeFindAccountByEmail(email))!;
    expect(account).toMatchObject({ email_verified: true, password_hash: null, name: null });

    const saved = await submitForm(owner, app, choose, '/password/reset', { password: OWNER_PASSWORD });
    expect(saved.body).toContain('Password changed');

    // The stranger's browser, waiting for the code, is at the start again; the password is dead.
    const back = await stranger.request(checkEmail.url);
    expect(formAction(back.body, '/login')).toBeTruthy();
    expect(back.body).not.toContain('Check your email');
    expect((await passwordSignIn(app, client, email, STRANGER_PASSWORD)).status).toBe(401);

    const { tokens } = await signInForTokens(app, client, { email, password: OWNER_PASSWORD });
    const userinfo = await (await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
    expect(userinfo).toMatchObject({ email, email_verified: true });
    expect(userinfo.name).toBeUndefined();
  });

  it('passes to the owner who enters the mailed code after trying to register the same address', async () => {
    const email = uniqueEmail('owner');
    const { mail } = await strangerRegisters(app, client, sink, email);
    // The owner, meanwhile, registers too: the address is taken, and the page looks the same.
    const owner = new HttpSession();
    const { page } = await openRegistration(app, client, owner);
    const checkEmail = await register(owner, app, page, { email, name: 'The Owner', password: OWNER_PASSWORD });
    // (No "someone tried to use your address" mail: one verification-kind mail a minute.)
    const choose = await submitForm(owner, app, checkEmail, '/code', { code: codeIn(mail) });
    expect(choose.body).toContain('Choose your password');
    const saved = await submitForm(owner, app, choose, '/password/reset', { password: OWNER_PASSWORD });
    expect(saved.body).toContain('Back to sign in');
    expect((await passwordSignIn(app, client, email, STRANGER_PASSWORD)).status).toBe(401);
    const signedIn = await passwordSignIn(app, client, email, OWNER_PASSWORD);
    expect(formAction(signedIn.body, '/consent')).toBeTruthy();
  });

  it('ends what the stranger set up while unverified accounts may sign in: sessions, tokens, second factors', async () => {
    await withAppAndMail({ REQUIRE_VERIFIED_EMAIL: 'false' }, async ({ app: relaxed, sink: mails, client: rp }) => {
      const email = uniqueEmail('owner');
      const { mail } = await strangerRegisters(relaxed, rp, mails, email);
      // The stranger signs in without proving the address, keeps a refresh token and adds an authenticator app.
      const { tokens } = await signInForTokens(relaxed, rp, { email, password: STRANGER_PASSWORD }, { params: { scope: 'openid offline_access', prompt: 'consent' } });
      expect(tokens.refresh_token).toBeTruthy();
      expect(await relaxed.services.consents.list((await relaxed.services.queries.accounts.maybeFindAccountByEmail(email))!.id)).toHaveLength(1);
      const account = (await relaxed.services.queries.accounts.maybeFindAccountByEmail(email))!;
      const enrolment = await relaxed.services.secondFactors.beginTotpEnrolment(account);
      await relaxed.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret }));
      expect(await relaxed.services.secondFactors.hasAny(account.id)).toBe(true);

      const owner = new HttpSession();
      const confirm = await owner.request(linkIn(mail, '/verify-email'));
      const choose = await submitForm(owner, relaxed, confirm, '/verify-email');
      expect(choose.body).toContain('Choose your password');

      expect(await relaxed.services.secondFactors.hasAny(account.id)).toBe(false);
      expect(await relaxed.services.consents.list(account.id)).toEqual([]); // the owner is asked before any application gets in
      expect((await relaxed.services.secondFactors.overview(account.id)).recoveryCodesLeft).toBe(0);
      const refreshed = await tokenRequest(relaxed, rp, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(400);
      const introspected = await tokenRequest(relaxed, rp, { token: tokens.access_token }, '/token/introspection');
      expect(introspected.body.active).toBe(false);
    });
  });

  it('stays the registrant\'s when the link is opened in the browser that registered', async () => {
    const email = uniqueEmail('owner');
    const { stranger: registrant, mail } = await strangerRegisters(app, client, sink, email);
    const confirm = await registrant.request(linkIn(mail, '/verify-email'));
    const next = await submitForm(registrant, app, confirm, '/verify-email');
    expect(formAction(next.body, '/consent')).toBeTruthy();
    expect((await passwordSignIn(app, client, email, STRANGER_PASSWORD)).status).not.toBe(401);
  });
});
