import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { generate } from 'otplib';
import { codeIn, openSignIn, startAppWithMail, submitForm, uniqueEmail, withAppAndMail } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, redeemCode, submitConsent, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { type TestApp } from '../helpers/start-app.ts';
import { withoutPersonalParts } from '../helpers/same-page.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, client, close } = await startAppWithMail()));
afterAll(() => close?.());

async function askForCode(email: string, session = new HttpSession(), target = app, rp = client) {
  const { request, page } = await openSignIn(target, rp, session, { utm_source: 'podcast' });
  return { session, request, checkEmail: await submitForm(session, target, page, '/email-code', { email }) };
}

describe('sign-in with an emailed code', () => {
  it('signs an existing account in with the code, with amr email', async () => {
    const user = await createUser(app);
    const { session, request, checkEmail } = await askForCode(user.email);
    expect(checkEmail.body).toContain('Check your email');
    const mail = await sink.next(user.email);
    expect(mail.text).toMatch(/10 minutes/);
    const consent = await submitForm(session, app, checkEmail, '/code', { code: codeIn(mail) });
    const done = await submitConsent(session, app, consent);
    const tokens = await redeemCode(app, client, new URL(done.location!).searchParams.get('code')!, request.verifier);
    const claims = jose.decodeJwt(tokens.body.id_token);
    expect(claims.sub).toBe(user.id);
    expect(claims.amr).toEqual(['email']);
  });

  it('creates a verified account for a new address, recording where it came from', async () => {
    const email = uniqueEmail('newcomer');
    const { session, checkEmail } = await askForCode(email);
    const consent = await submitForm(session, app, checkEmail, '/code', { code: codeIn(await sink.next(email)) });
    expect(formAction(consent.body, '/consent')).toBeTruthy();
    expect(await app.services.queries.accounts.maybeFindAccountByEmail(email)).toMatchObject({
      email_verified: true, password_hash: null, signup_method: 'email_code', signup_client_id: client.clientId, signup_utm: { utm_source: 'podcast' },
    });
  });

  it('hands an unverified account to the address owner without the password its registrant chose', async () => {
    const email = uniqueEmail('pre-registered');
    await app.services.accounts.createAccount({ email, password: 'chosen by a stranger 123', name: 'Not The Owner' });
    const { session, checkEmail } = await askForCode(email);
    const consent = await submitForm(session, app, checkEmail, '/code', { code: codeIn(await sink.next(email)) });
    expect(formAction(consent.body, '/consent')).toBeTruthy();
    expect(await app.services.queries.accounts.maybeFindAccountByEmail(email)).toMatchObject({ email_verified: true, password_hash: null });
    const strangerSession = new HttpSession();
    const { page } = await openSignIn(app, client, strangerSession);
    const stranger = await submitLogin(strangerSession, app, page, email, 'chosen by a stranger 123');
    expect(stranger.status).toBe(401);
  });

  it('also drops the second factors a registrant set up on an address they never proved', async () => {
    const email = uniqueEmail('pre-registered-mfa');
    const account = await app.services.accounts.createAccount({ email, password: 'chosen by a stranger 123', name: 'Not The Owner' });
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
    await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret }));
    await sink.next(email); // the mail about the authenticator app

    const { session, checkEmail } = await askForCode(email);
    const next = await submitForm(session, app, checkEmail, '/code', { code: codeIn(await sink.next(email)) });
    expect(formAction(next.body, '/consent')).toBeTruthy(); // no stranger's factor to pass
    expect(await app.services.secondFactors.overview(account.id)).toMatchObject({ totp: false, passkeys: [], recoveryCodesLeft: 0 });
  });

  it('keeps sign-ins in two tabs of one browser apart', async () => {
    const [first, second] = [await createUser(app), await createUser(app)];
    const session = new HttpSession();
    const tabA = await askForCode(first.email, session);
    const tabB = await askForCode(second.email, session);
    // Each tab still waits for its own code, for its own address.
    const pageA = await session.request(tabA.checkEmail.url);
    const pageB = await session.request(tabB.checkEmail.url);
    expect(pageA.body).toContain(first.email);
    expect(pageB.body).toContain(second.email);
    const doneA = await submitForm(session, app, pageA, '/code', { code: codeIn(await sink.next(first.email)) });
    expect(formAction(doneA.body, '/consent')).toBeTruthy();
    expect((await session.request(tabB.checkEmail.url)).body).toContain(second.email);
  });

  it('takes a code once, and no more than five wrong ones', async () => {
    const user = await createUser(app);
    const { session, checkEmail } = await askForCode(user.email);
    const right = codeIn(await sink.next(user.email));
    const consent = await submitForm(session, app, checkEmail, '/code', { code: right });
    expect(formAction(consent.body, '/consent')).toBeTruthy();
    // The same code in another sign-in fails: it was used.
    await app.services.db.knex('throttles').where('key', 'like', 'mail:%').delete();
    const second = await askForCode(user.email);
    await sink.next(user.email);
    const reused = await submitForm(second.session, app, second.checkEmail, '/code', { code: right });
    expect(reused.status).toBe(400);
    let page = reused;
    for (let attempt = 2; attempt <= 5; attempt++) page = await submitForm(second.session, app, page, '/code', { code: '000000' === right ? '111111' : '000000' });
    const exhausted = await submitForm(second.session, app, page, '/code', { code: right });
    expect(exhausted.body).toContain('entered wrongly too many times');
  });

  it('answers the same for an unknown address when registration is closed, and mails nothing', async () => {
    await withAppAndMail({ REGISTRATION: 'closed' }, async ({ app: closed, client: rp, sink: ownSink }) => {
      const user = await createUser(closed);
      const known = await askForCode(user.email, new HttpSession(), closed, rp);
      const unknownEmail = uniqueEmail('stranger');
      const unknown = await askForCode(unknownEmail, new HttpSession(), closed, rp);
      expect(withoutPersonalParts(unknown.checkEmail.body)).toBe(withoutPersonalParts(known.checkEmail.body));
      await ownSink.next(user.email);
      expect(await closed.services.db.knex('mail_outbox').where({ to_address: unknownEmail })).toHaveLength(0);
    });
  });

  it('throttles sends to one address', async () => {
    const user = await createUser(app);
    await askForCode(user.email);
    await sink.next(user.email);
    const { checkEmail } = await askForCode(user.email);
    expect(checkEmail.status).toBe(429);
    expect(checkEmail.body).toMatch(/ask for another in \d+ seconds/);
    expect(await app.services.db.knex('mail_outbox').where({ to_address: user.email })).toHaveLength(1);
  });
});
