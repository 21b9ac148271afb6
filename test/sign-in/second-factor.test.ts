import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { generate } from 'otplib';
import { codeIn, openSignIn, startAppWithMail, submitForm, withAppAndMail } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction, type PageResponse } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, redeemCode, submitConsent, submitLogin, type AuthorizationRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, client, close } = await startAppWithMail()));
afterAll(() => close?.());

const MFA = 'urn:latchkey:acr:mfa';

/** A user with an authenticator app set up through the library, and the app's secret. */
async function userWithTotp(target = app) {
  const user = await createUser(target);
  const account = (await target.services.accounts.maybeFindActiveAccount(user.id))!;
  const enrolment = await target.services.secondFactors.beginTotpEnrolment(account);
  // A code of the previous step: the step a sign-in then uses is always newer.
  const codes = await target.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
  return { ...user, account, secret: enrolment.secret, recoveryCodes: codes! };
}

const totpNow = (secret: string) => generate({ secret });

async function consentAndClaims(session: HttpSession, target: TestApp, rp: TestClient, request: AuthorizationRequest, page: PageResponse) {
  const done = formAction(page.body, '/consent') ? await submitConsent(session, target, page) : page;
  expect(done.location, `expected the redirect back, got ${done.status} ${done.body.slice(0, 300)}`).toMatch(/^http:\/\/localhost:9\/cb/);
  const tokens = await redeemCode(target, rp, new URL(done.location!).searchParams.get('code')!, request.verifier);
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return jose.decodeJwt(tokens.body.id_token);
}

describe('sign-in with a second factor', () => {
  it('asks an account with an authenticator app for a code after the password; the ID token says pwd, otp, mfa', async () => {
    const user = await userWithTotp();
    const session = new HttpSession();
    const { request, page } = await openSignIn(app, client, session);
    const challenge = await submitLogin(session, app, page, user.email, user.password);
    expect(challenge.body).toContain('Two-step verification');
    expect(challenge.body).toContain(`Signing in as <strong>${user.email}</strong>`); // not signed in yet
    const next = await submitForm(session, app, challenge, '/mfa/totp', { code: await totpNow(user.secret) });
    const claims = await consentAndClaims(session, app, client, request, next);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe(MFA);
  });

  it('refuses a wrong code and the same code twice, and throttles wrong codes like passwords', async () => {
    const user = await userWithTotp();
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    let challenge = await submitLogin(session, app, page, user.email, user.password);
    const code = await totpNow(user.secret);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let attempt = 1; attempt <= 5; attempt++) {
      challenge = await submitForm(session, app, challenge, '/mfa/totp', { code: wrong });
      expect(challenge.status).toBe(400);
    }
    const blocked = await submitForm(session, app, challenge, '/mfa/totp', { code });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);

    await app.services.db.knex('throttles').where('key', 'like', 'mfa:%').delete(); // the wait is over
    const accepted = await submitForm(session, app, blocked, '/mfa/totp', { code });
    expect(accepted.status).not.toBe(400);
    // The same code in another sign-in: its time step was used.
    const other = new HttpSession();
    const { page: again } = await openSignIn(app, client, other);
    const second = await submitLogin(other, app, again, user.email, user.password);
    const replay = await submitForm(other, app, second, '/mfa/totp', { code });
    expect(replay.status).toBe(400);
  });

  it('signs in once with each recovery code, and mails the owner when one is used', async () => {
    const user = await userWithTotp();
    await sink.next(user.email); // the mail saying an authenticator app was added
    const [first] = user.recoveryCodes;
    for (const expected of ['accepted', 'refused']) {
      const session = new HttpSession();
      const { page } = await openSignIn(app, client, session);
      const challenge = await submitLogin(session, app, page, user.email, user.password);
      const result = await submitForm(session, app, challenge, '/mfa/recovery', { code: first!.toUpperCase() });
      if (expected === 'accepted') {
        expect(formAction(result.body, '/consent') || result.location).toBeTruthy();
        const notice = await sink.next(user.email);
        expect(notice.text).toMatch(/recovery code was used.*9 unused recovery codes left/s);
      } else {
        expect(result.status).toBe(400);
      }
    }
  });

  it('does not let a mailed sign-in code skip the second factor', async () => {
    const user = await userWithTotp();
    await sink.next(user.email);
    const session = new HttpSession();
    const { request, page } = await openSignIn(app, client, session);
    const checkEmail = await submitForm(session, app, page, '/email-code', { email: user.email });
    const challenge = await submitForm(session, app, checkEmail, '/code', { code: codeIn(await sink.next(user.email)) });
    expect(challenge.body).toContain('Two-step verification');
    const next = await submitForm(session, app, challenge, '/mfa/totp', { code: await totpNow(user.secret) });
    expect((await consentAndClaims(session, app, client, request, next)).amr).toEqual(['email', 'otp', 'mfa']);
  });

  it('lists the acr values in discovery', async () => {
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json();
    expect(discovery.acr_values_supported).toEqual(['urn:latchkey:acr:1fa', MFA]);
  });
});

describe('step-up and policy', () => {
  it('leads an account without factors to set one up when the application asks for MFA, then shows recovery codes once', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { request, page } = await openSignIn(app, client, session, { acr_values: MFA });
    const enrol = await submitLogin(session, app, page, user.email, user.password);
    expect(enrol.body).toContain('Set up two-step verification');
    const secret = enrol.body.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '');
    expect(secret).toHaveLength(32); // 20 bytes
    const wrong = await submitForm(session, app, enrol, '/mfa/enrol/totp', { code: '000000' === await totpNow(secret) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain(secret.match(/.{1,4}/g)!.join(' ')); // the same secret again
    const codes = await submitForm(session, app, wrong, '/mfa/enrol/totp', { code: await totpNow(secret) });
    const recoveryCodes = [...codes.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(recoveryCodes).toHaveLength(10);
    expect(enrol.body).toContain('class="languages"');
    expect(codes.body).not.toContain('class="languages"'); // switching language would show the page again, without its codes
    const next = await submitForm(session, app, codes, '/mfa/continue');
    const claims = await consentAndClaims(session, app, client, request, next);
    expect(claims).toMatchObject({ acr: MFA, amr: ['pwd', 'otp', 'mfa'] });
    expect((await app.services.secondFactors.overview(user.id)).recoveryCodesLeft).toBe(10);
  });

  it('asks a one-factor session for its password again before setting up a second factor', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { request, page } = await openSignIn(app, client, session);
    expect((await consentAndClaims(session, app, client, request, await submitLogin(session, app, page, user.email, user.password))).acr).toBe('urn:latchkey:acr:1fa');

    // An old or stolen session must not be able to attach a factor of its own.
    const { page: stepUp } = await openSignIn(app, client, session, { acr_values: MFA });
    expect(formAction(stepUp.body, '/login')).toBeTruthy();
    const enrol = await submitLogin(session, app, stepUp, user.email, user.password);
    expect(enrol.body).toContain('Set up two-step verification');
  });

  it('ends a sign-in waiting for its second factor when the password is reset meanwhile', async () => {
    const user = await userWithTotp();
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const challenge = await submitLogin(session, app, page, user.email, user.password);
    expect(challenge.body).toContain('Two-step verification');
    await app.services.queries.accounts.changePassword(user.id, 'a hash that does not matter here'); // what a reset does
    const late = await submitForm(session, app, challenge, '/mfa/totp', { code: await totpNow(user.secret) });
    expect(late.status).toBe(400);
    expect(late.body).toContain('expired');
  });

  it('counts the sign-in (last sign-in time) only once the second factor is passed', async () => {
    const user = await userWithTotp();
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const challenge = await submitLogin(session, app, page, user.email, user.password);
    expect((await app.services.queries.accounts.maybeFindAccountById(user.id))!.last_login_at).toBeNull();
    expect(session.cookie('lk_known')).toBeUndefined();
    await submitForm(session, app, challenge, '/mfa/totp', { code: await totpNow(user.secret) });
    expect((await app.services.queries.accounts.maybeFindAccountById(user.id))!.last_login_at).not.toBeNull();
    expect(session.cookie('lk_known')).toBeDefined();
  });

  it('sends a set-up step to the factor the account gained meanwhile, instead of adding another', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session, { acr_values: MFA });
    const enrol = await submitLogin(session, app, page, user.email, user.password);
    const secret = enrol.body.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '');
    // Meanwhile, in another tab, the owner sets up an authenticator app.
    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    const other = await app.services.secondFactors.beginTotpEnrolment(account);
    await app.services.secondFactors.confirmTotp(account, other.factorId, await totpNow(other.secret));
    const next = await submitForm(session, app, enrol, '/mfa/enrol/totp', { code: await totpNow(secret) });
    expect(next.body).toContain('Two-step verification');
    expect(formAction(next.body, '/mfa/totp')).toBeTruthy();
  });

  it('asks a one-factor session for the factor added since, and nothing else', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { request, page } = await openSignIn(app, client, session);
    await consentAndClaims(session, app, client, request, await submitLogin(session, app, page, user.email, user.password));

    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
    await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) - 30 }));

    const { request: next, page: challenge } = await openSignIn(app, client, session);
    expect(formAction(challenge.body, '/login')).toBeUndefined();
    expect(challenge.body).toContain('Two-step verification');
    const done = await submitForm(session, app, challenge, '/mfa/totp', { code: await totpNow(enrolment.secret) });
    expect(await consentAndClaims(session, app, client, next, done)).toMatchObject({ acr: MFA, amr: ['pwd', 'otp', 'mfa'] });
  });

  it('with max_age asks again for both the password and the second factor', async () => {
    const user = await userWithTotp();
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const challenge = await submitLogin(session, app, page, user.email, user.password);
    await submitForm(session, app, challenge, '/mfa/totp', { code: await totpNow(user.secret) });

    await new Promise((resolve) => setTimeout(resolve, 2100)); // max_age counts whole seconds
    const { page: again } = await openSignIn(app, client, session, { max_age: '1' });
    expect(formAction(again.body, '/login'), again.body.slice(-1500)).toBeTruthy();
    const secondAgain = await submitLogin(session, app, again, user.email, user.password);
    expect(secondAgain.body).toContain('Two-step verification');
  });

  it('MFA_REQUIRED=admins makes only accounts given the admin role set up a second factor', async () => {
    await withAppAndMail({ MFA_REQUIRED: 'admins' }, async ({ app: strict, client: rp }) => {
      const [admin, member] = [await createUser(strict), await createUser(strict)];
      const granted = await strict.cli('users', 'grant-admin', admin.email, '--json');
      expect(JSON.parse(granted.stdout).roles).toEqual(['admin']);
      for (const [user, expected] of [[admin, 'Set up two-step verification'], [member, 'Allow access?']] as const) {
        const session = new HttpSession();
        const { page } = await openSignIn(strict, rp, session);
        expect((await submitLogin(session, strict, page, user.email, user.password)).body).toContain(expected);
      }
    });
  });

  it('MFA_REQUIRED=all makes every account set up a second factor at its next sign-in', async () => {
    await withAppAndMail({ MFA_REQUIRED: 'all' }, async ({ app: strict, client: rp }) => {
      const user = await createUser(strict);
      const session = new HttpSession();
      const { page } = await openSignIn(strict, rp, session);
      const enrol = await submitLogin(session, strict, page, user.email, user.password);
      expect(enrol.body).toContain('Your organisation requires two-step verification');
    });
  });
});
