import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { codeIn, openRegistration, register, startAppWithMail, submitForm, uniqueEmail, withAppAndMail } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, redeemCode, submitConsent, type TestClient } from '../helpers/oidc-flow.ts';
import { type TestApp } from '../helpers/start-app.ts';
import { withoutPersonalParts } from '../helpers/same-page.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, client, close } = await startAppWithMail()));
afterAll(() => close?.());

describe('registration', () => {
  it('registers, verifies with the mailed code and lands back in the relying party flow with email_verified true', async () => {
    const session = new HttpSession({ referer: 'https://blog.example.org/launch?ref=secret#top' });
    const email = uniqueEmail('grace');
    const { request, page } = await openRegistration(app, client, session, { utm_source: 'newsletter', utm_campaign: 'autumn' });
    const checkEmail = await register(session, app, page, { email });
    expect(checkEmail.body).toContain('Check your email');
    expect(formAction(checkEmail.body, '/code')).toBeTruthy();

    const mail = await sink.next(email);
    expect(mail.subject).toContain('Latchkey');
    expect(mail.html).toContain('Latchkey');
    expect(mail.text).toMatch(/10 minutes/);
    expect(mail.text).toMatch(/24 hours/);
    const consent = await submitForm(session, app, checkEmail, '/code', { code: codeIn(mail) });
    const done = await submitConsent(session, app, consent);
    const callback = new URL(done.location!);
    const tokens = await redeemCode(app, client, callback.searchParams.get('code')!, request.verifier);
    expect(tokens.status).toBe(200);
    expect(jose.decodeJwt(tokens.body.id_token).amr).toEqual(['pwd']);
    const userinfo = await fetch(new URL('/me', app.url), { headers: { authorization: `Bearer ${tokens.body.access_token}` } });
    expect(await userinfo.json()).toMatchObject({ email, email_verified: true, name: 'Grace Hopper' });

    const account = await app.services.queries.accounts.maybeFindAccountByEmail(email);
    expect(account).toMatchObject({
      name: 'Grace Hopper', email_verified: true, signup_method: 'registration', signup_client_id: client.clientId,
      signup_referrer: 'https://blog.example.org/launch', signup_utm: { utm_source: 'newsletter', utm_campaign: 'autumn' },
    });
  });

  it('answers an address that already has an account exactly like a new one, and mails its owner instead', async () => {
    const owner = await createUser(app);
    const session = new HttpSession();
    const { page } = await openRegistration(app, client, session);
    const taken = await register(session, app, page, { email: owner.email.toUpperCase() });

    const fresh = new HttpSession();
    const freshEmail = uniqueEmail('new');
    const { page: freshPage } = await openRegistration(app, client, fresh);
    const created = await register(fresh, app, freshPage, { email: freshEmail });

    expect(taken.status).toBe(created.status);
    expect(withoutPersonalParts(taken.body)).toBe(withoutPersonalParts(created.body));

    const warning = await sink.next(owner.email);
    expect(warning.subject).toMatch(/tried to create/);
    expect(warning.text).toContain('/password/forgot');
    expect(warning.text).not.toMatch(/\b\d{6}\b/);
    await sink.next(freshEmail);
    const accounts = await app.services.db.knex('accounts').whereRaw('lower(email) = lower(?)', [owner.email]);
    expect(accounts).toHaveLength(1);
  });

  it('refuses a common password and one made of the name, saying why, and creates nothing', async () => {
    const session = new HttpSession();
    const { page } = await openRegistration(app, client, session);
    const email = uniqueEmail('weak');
    const common = await register(session, app, page, { email, password: 'password123' });
    expect(common.status).toBe(400);
    expect(common.body).toContain('most common passwords');
    const personal = await register(session, app, common, { email, name: 'Grace Hopper', password: 'gracehopper1906' });
    expect(personal.status).toBe(400);
    expect(personal.body).toMatch(/name or email/);
    expect(await app.services.queries.accounts.maybeFindAccountByEmail(email)).toBeUndefined();
    expect(await app.services.db.knex('mail_outbox').where({ to_address: email })).toHaveLength(0);
  });

  it('counts sign-ups against the IP, never refused forms: ten accounts, then a wait', async () => {
    await withAppAndMail({ TRUST_PROXY: 'true' }, async ({ app: office, client: rp }) => {
      const session = new HttpSession({ 'x-forwarded-for': '198.51.100.20' });
      let { page } = await openRegistration(office, rp, session);
      for (let i = 0; i < 12; i++) page = await register(session, office, page, { email: uniqueEmail('office'), password: 'password123' });
      expect(page.status).toBe(400); // too common, twelve times over: no counter moved
      for (let i = 0; i < 10; i++) {
        ({ page } = await openRegistration(office, rp, session));
        expect((await register(session, office, page, { email: uniqueEmail('office') })).body).toContain('Check your email');
      }
      ({ page } = await openRegistration(office, rp, session));
      const eleventh = await register(session, office, page, { email: uniqueEmail('office') });
      expect(eleventh.status).toBe(429);
    });
  });

  it('leaves no half-made account when a later step of registration fails', async () => {
    const knex = app.services.db.knex;
    const email = uniqueEmail('halfway');
    const session = new HttpSession();
    const { page } = await openRegistration(app, client, session);
    await knex.raw('alter table mail_outbox rename to mail_outbox_unavailable'); // the mail cannot be queued
    try {
      const failed = await register(session, app, page, { email });
      expect(failed.status).toBe(500);
    } finally {
      await knex.raw('alter table mail_outbox_unavailable rename to mail_outbox');
    }
    expect(await app.services.queries.accounts.maybeFindAccountByEmail(email)).toBeUndefined();
    expect(await knex('one_time_secrets').where({ email })).toHaveLength(0);
  });
});
