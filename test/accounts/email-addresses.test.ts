// Email addresses: an addr-spec only, in one normal form for every use, mailed to exactly
// that one address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as normaliseStoredAddresses } from '../../migrations/20261202000001_normalise_email_addresses.ts';
import { codeIn, openRegistration, openSignIn, register, startAppWithMail, submitForm } from '../helpers/hosted-pages.ts';
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

const accountCount = async () => Number((await app.services.db.knex('accounts').count('* as n').first())!.n);
const mailCount = async () => Number((await app.services.db.knex('mail_outbox').count('* as n').first())!.n);

describe('email addresses', () => {
  it.each([
    'Alice<alice@example.com>', 'a@b.c,victim@example.com', 'x@y.z;d', 'Alice Liddell <alice@example.com>',
    '"alice"@example.com', 'alice@[127.0.0.1]', 'alice@example.com, bob@example.com', 'alice(comment)@example.com',
    'alice@exa%6Dple.com', 'alice@localhost', 'al..ice@example.com', 'alice@example.com.',
  ])('refuses %s on the registration form, creating nothing and mailing nobody', async (address) => {
    const [accounts, mails] = [await accountCount(), await mailCount()];
    const session = new HttpSession();
    const { page } = await openRegistration(app, client, session);
    const refused = await register(session, app, page, { email: address });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Enter an email address like name@example.com.');
    expect(await accountCount()).toBe(accounts);
    expect(await mailCount()).toBe(mails);
  });

  it('keeps one form of an address (lower case, punycode domain) and finds it however it is typed', async () => {
    const session = new HttpSession();
    const { page } = await openRegistration(app, client, session);
    const checkEmail = await register(session, app, page, { email: '  Ada.Lovelace@Bücher.Example  ' });
    const stored = 'ada.lovelace@xn--bcher-kva.example';
    const mail = await sink.next(stored);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.length : 0).toBe(1);
    await submitForm(session, app, checkEmail, '/code', { code: codeIn(mail) });
    expect((await app.services.queries.accounts.maybeFindAccountByEmail(stored))).toMatchObject({ email: stored, email_verified: true });

    const other = new HttpSession();
    const { page: signIn } = await openSignIn(app, client, other);
    const signedIn = await submitLogin(other, app, signIn, 'ADA.LOVELACE@bücher.EXAMPLE', 'tangerine wolf quietly paints');
    expect(formAction(signedIn.body, '/consent')).toBeTruthy();
  });

  it('mails one envelope recipient, the stored address', async () => {
    const email = 'envelope.test@example.test';
    await app.services.accounts.createAccount({ email, password: PASSWORD, emailVerified: true });
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    await submitForm(session, app, page, '/email-code', { email: 'Envelope.Test@EXAMPLE.test' });
    const mail = await sink.next(email);
    expect(mail.headers.get('to')).toMatchObject({ value: [{ address: email }] });
    expect(sink.envelopeTo(mail)).toEqual([email]);
  });

  it('normalises the addresses already stored, leaving alone what is no address', async () => {
    const knex = app.services.db.knex;
    const insert = (id: string, email: string) => knex('accounts').insert({ id, email, email_verified: true });
    await insert('00000000-0000-4000-8000-000000000001', 'Mixed.Case@Example.TEST');
    await insert('00000000-0000-4000-8000-000000000002', 'Bob <bob@example.test>');
    await normaliseStoredAddresses(knex);
    const rows = await knex('accounts').whereIn('id', ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']).orderBy('id');
    expect(rows.map((row: { email: string }) => row.email)).toEqual(['mixed.case@example.test', 'Bob <bob@example.test>']);
  });
});
