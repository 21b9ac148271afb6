import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeIn, linkIn, openRegistration, openSignIn, register, startAppWithMail, submitForm, uniqueEmail, withAppAndMail } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { PASSWORD, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, client, close } = await startAppWithMail()));
afterAll(() => close?.());

async function registered(session = new HttpSession()) {
  const email = uniqueEmail();
  const { page } = await openRegistration(app, client, session);
  const checkEmail = await register(session, app, page, { email });
  return { session, email, checkEmail, mail: await sink.next(email) };
}

const isVerified = async (email: string) => (await app.services.queries.accounts.maybeFindAccountByEmail(email))?.email_verified;

describe('email verification', () => {
  it('verifies with the link opened in the same browser and carries on into the authorization', async () => {
    const { session, email, mail } = await registered();
    const confirm = await session.request(linkIn(mail, '/verify-email'));
    expect(confirm.status).toBe(200);
    expect(await isVerified(email)).toBe(false); // opening the link (as a mail scanner would) changes nothing
    const next = await submitForm(session, app, confirm, '/verify-email');
    expect(formAction(next.body, '/consent'), next.body.slice(0, 300)).toBeTruthy();
    expect(await isVerified(email)).toBe(true);
  });

  it('verifies with the link in another browser as the owner claiming the account, who chooses its password; the link works once', async () => {
    const { session, email, checkEmail, mail } = await registered();
    const other = new HttpSession();
    const confirm = await other.request(linkIn(mail, '/verify-email'));
    const choose = await submitForm(other, app, confirm, '/verify-email');
    expect(choose.body).toContain('Choose your password');
    expect(await isVerified(email)).toBe(true);

    const again = await new HttpSession().request(linkIn(mail, '/verify-email'));
    expect(again.status).toBe(400);
    expect(again.body).toContain('expired or was already used');

    // The first browser's sign-in is over: the password it chose went with the claim.
    const back = await session.request(checkEmail.url);
    expect(formAction(back.body, '/login')).toBeTruthy();
    expect(back.body).not.toContain('Check your email');
  });

  it('allows five wrong codes, then wants a new one; the code and link die together', async () => {
    const { session, email, checkEmail, mail } = await registered();
    const right = codeIn(mail);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    let page = checkEmail;
    for (let attempt = 1; attempt <= 5; attempt++) {
      page = await submitForm(session, app, page, '/code', { code: wrong });
      expect(page.status).toBe(400);
      expect(page.body).toContain('That code is not right');
    }
    page = await submitForm(session, app, page, '/code', { code: right });
    expect(page.body).toContain('entered wrongly too many times');
    expect(await isVerified(email)).toBe(false);
    // The link of the same mail still works: only the code was guessed at.
    const confirm = await session.request(linkIn(mail, '/verify-email'));
    await submitForm(session, app, confirm, '/verify-email');
    expect(await isVerified(email)).toBe(true);
  });

  it('counts wrong codes for an address across codes: a patient guesser waiting for new codes soon waits longer', async () => {
    const { session, email, checkEmail } = await registered();
    let page = checkEmail;
    for (let round = 0; round < 2; round++) {
      for (let attempt = 1; attempt <= 5; attempt++) page = await submitForm(session, app, page, '/code', { code: String(100000 + attempt) });
      await app.services.db.knex('throttles').where('key', 'like', 'mail:address:%').delete(); // the cooldown has passed
      page = await submitForm(session, app, page, '/resend');
    }
    await sink.next(email); // the first new code, replaced by the second
    const code = codeIn(await sink.next(email));
    const refused = await submitForm(session, app, page, '/code', { code });
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('Too many attempts');
    expect(await isVerified(email)).toBe(false);
  });

  it('sends a new code on request after a cooldown, and the old code stops working', async () => {
    const { session, email, checkEmail, mail } = await registered();
    const tooSoon = await submitForm(session, app, checkEmail, '/resend');
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(tooSoon.body).toMatch(/ask for another in \d+ seconds/);

    await app.services.db.knex('throttles').where('key', 'like', 'mail:address:%').delete(); // the minute has passed
    const resent = await submitForm(session, app, tooSoon, '/resend');
    expect(resent.body).toContain('We sent a new code');
    const second = await sink.next(email);
    const stale = await submitForm(session, app, resent, '/code', { code: codeIn(mail) });
    expect(stale.status).toBe(400);
    const consent = await submitForm(session, app, stale, '/code', { code: codeIn(second) });
    expect(formAction(consent.body, '/consent')).toBeTruthy();
  });

  it('offers verification instead of finishing a password sign-in to an unverified account', async () => {
    const email = uniqueEmail('unverified');
    await app.services.accounts.createAccount({ email, password: PASSWORD, name: 'Not Yet' });
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const checkEmail = await submitLogin(session, app, page, email, PASSWORD);
    expect(checkEmail.body).toContain('Check your email');
    const consent = await submitForm(session, app, checkEmail, '/code', { code: codeIn(await sink.next(email)) });
    expect(formAction(consent.body, '/consent')).toBeTruthy();
    expect(await isVerified(email)).toBe(true);
  });
});

describe('settings', () => {
  it('REQUIRE_VERIFIED_EMAIL=false lets an unverified account finish signing in', async () => {
    await withAppAndMail({ REQUIRE_VERIFIED_EMAIL: 'false' }, async ({ app: relaxed, client: rp }) => {
      const email = uniqueEmail('relaxed');
      await relaxed.services.accounts.createAccount({ email, password: PASSWORD });
      const session = new HttpSession();
      const { page } = await openSignIn(relaxed, rp, session);
      const consent = await submitLogin(session, relaxed, page, email, PASSWORD);
      expect(formAction(consent.body, '/consent')).toBeTruthy();
    });
  });

  it('REGISTRATION=closed hides the sign-up link and refuses the route', async () => {
    await withAppAndMail({ REGISTRATION: 'closed' }, async ({ app: closed, client: rp }) => {
      const session = new HttpSession();
      const { page } = await openSignIn(closed, rp, session);
      expect(page.body).not.toMatch(/\/register"/);
      const uid = page.url.match(/\/interaction\/([^/?]+)/)![1];
      const refused = await session.request(`${closed.url}/interaction/${uid}/register`);
      expect(refused.status).toBe(404);
      const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
      const posted = await session.request(`${closed.url}/interaction/${uid}/register`, { form: { _csrf: csrf, email: 'x@example.test', password: 'whatever it is', name: 'X' } });
      expect(posted.status).toBe(404);
      expect(Number((await closed.services.db.knex('accounts').count('* as n').first())!.n)).toBe(0);
    });
  });
});
