import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn, NEW_PASSWORD, openSignIn, startAppWithMail, submitForm, uniqueEmail } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, signInForTokens, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import { type TestApp } from '../helpers/start-app.ts';
import { withoutPersonalParts } from '../helpers/same-page.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, client, close } = await startAppWithMail()));
afterAll(() => close?.());

async function requestReset(email: string, session = new HttpSession()) {
  const { page: login } = await openSignIn(app, client, session);
  const forgotPath = login.body.match(/href="(\/password\/forgot[^"]*)"/)?.[1];
  expect(forgotPath, 'the sign-in page links to password reset').toBeTruthy();
  const forgot = await session.request(new URL(forgotPath!.replace(/&amp;/g, '&'), app.url).href);
  return { session, login, answer: await submitForm(session, app, forgot, '/password/forgot', { email }) };
}

describe('password reset', () => {
  it('resets with the mailed link, revokes every session and refresh token, notifies, and signs nobody in', async () => {
    const user = await createUser(app);
    const before = await signInForTokens(app, client, user, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    expect(before.tokens.refresh_token).toBeTruthy();

    const { session, login, answer } = await requestReset(user.email);
    expect(answer.body).toContain('Check your email');
    const mail = await sink.next(user.email);
    expect(mail.text).toMatch(/30 minutes/);
    const resetPage = await session.request(linkIn(mail, '/password/reset'));
    expect(resetPage.body).toContain(user.email);

    const weak = await submitForm(session, app, resetPage, '/password/reset', { password: 'password1' });
    expect(weak.status).toBe(400);
    expect(weak.body).toContain('most common passwords');
    const done = await submitForm(session, app, weak, '/password/reset', { password: NEW_PASSWORD });
    expect(done.body).toContain('Password changed');

    const notice = await sink.next(user.email);
    expect(notice.subject).toMatch(/password was changed/);

    const refreshed = await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: before.tokens.refresh_token });
    expect(refreshed.body.error).toBe('invalid_grant');
    // The browser that was signed in is asked to sign in again.
    const { page } = await openSignIn(app, client, before.session);
    expect(formAction(page.body, '/login')).toBeTruthy();

    const oldPassword = await submitLogin(session, app, login, user.email, user.password);
    expect(oldPassword.status).toBe(401);
    const { page: fresh } = await openSignIn(app, client, new HttpSession());
    const signedIn = await submitLogin(new HttpSession(), app, fresh, user.email, NEW_PASSWORD);
    expect(signedIn.status).not.toBe(401);

    const reused = await new HttpSession().request(linkIn(mail, '/password/reset'));
    expect(reused.status).toBe(400);
    expect(reused.body).toContain('expired or was already used');
  });

  it('drops the second factors of an account nobody had verified, since the reset is the first proof of its address', async () => {
    const email = uniqueEmail('unproven');
    const account = await app.services.accounts.createAccount({ email, password: 'chosen by a stranger 123', name: 'Not The Owner' });
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
    await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret }));
    await sink.next(email);
    const { session } = await requestReset(email);
    const resetPage = await session.request(linkIn(await sink.next(email), '/password/reset'));
    await submitForm(session, app, resetPage, '/password/reset', { password: NEW_PASSWORD });
    expect(await app.services.secondFactors.overview(account.id)).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
    expect(await app.services.queries.accounts.maybeFindAccountById(account.id)).toMatchObject({ email_verified: true });
  });

  it('answers the same for an unknown address and sends it nothing', async () => {
    const user = await createUser(app);
    const known = await requestReset(user.email);
    const unknownEmail = uniqueEmail('nobody');
    const unknown = await requestReset(unknownEmail);
    expect(unknown.answer.status).toBe(known.answer.status);
    expect(withoutPersonalParts(unknown.answer.body)).toBe(withoutPersonalParts(known.answer.body));
    await sink.next(user.email);
    expect(await app.services.db.knex('mail_outbox').where({ to_address: unknownEmail })).toHaveLength(0);
  });

  it('refuses a made-up or expired link with a clear page', async () => {
    const made = await new HttpSession().request(`${app.url}/password/reset?token=${'A'.repeat(43)}`);
    expect(made.status).toBe(400);
    expect(made.body).toContain('Ask for a new link');

    const user = await createUser(app);
    const { session } = await requestReset(user.email);
    const mail = await sink.next(user.email);
    await app.services.db.knex('one_time_secrets').where({ purpose: 'reset_password' }).update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await session.request(linkIn(mail, '/password/reset'));
    expect(expired.status).toBe(400);
  });
});
