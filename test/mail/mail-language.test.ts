// Mails speak the language of the page that caused them, and keep it in the outbox; a mail no
// page caused (an administrator's, a library call) speaks the language the account last signed
// in with, and English before that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolTotp, openSignedIn } from '../helpers/account-pages.ts';
import { openSignIn, startAppWithMail, submitForm } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;
beforeAll(async () => ({ app, sink, client, close } = await startAppWithMail()));
afterAll(() => close?.());

const outboxRow = (to: string) => app.services.db.knex('mail_outbox').where({ to_address: to }).orderBy('created_at', 'desc').first();

describe('the language of a mail', () => {
  it('is the language of the page that asked for it, subject and layout included', async () => {
    const user = await createUser(app, { name: 'Grete' });
    const session = new HttpSession({ 'accept-language': 'de' });
    const { page } = await openSignIn(app, client, session);
    const sent = await submitForm(session, app, page, '/email-code', { email: user.email });
    expect(sent.body).toContain('Wir haben einen 6-stelligen Anmeldecode');
    const mail = await sink.next(user.email);
    expect(mail.subject).toBe('Ihr Anmeldecode für Latchkey');
    expect(mail.text).toContain('Hallo Grete,');
    expect(mail.text).toMatch(/Ihr Anmeldecode: \d{6}/);
    expect(mail.text).toContain(`Gesendet von Latchkey unter ${app.url}.`);
    expect(mail.html).toContain('<html lang="de">');
    expect(await outboxRow(user.email)).toMatchObject({ language: 'de', subject: 'Ihr Anmeldecode für Latchkey' });
  });

  it('follows the switcher and ui_locales like the page does', async () => {
    const user = await createUser(app);
    const session = new HttpSession({ 'accept-language': 'de' });
    const { page } = await openSignIn(app, client, session, { ui_locales: 'fr' });
    await submitForm(session, app, page, '/email-code', { email: user.email });
    expect((await sink.next(user.email)).subject).toBe('Votre code de connexion Latchkey');
  });

  it('is, for a mail no page caused, the language the account last signed in with', async () => {
    const newcomer = await createUser(app);
    await app.services.passwordReset.requestReset({ email: newcomer.email, ip: '192.0.2.1' }); // as an administrator's tool would
    expect((await sink.next(newcomer.email)).subject).toBe('Reset your Latchkey password'); // never signed in: English

    const user = await createUser(app);
    const session = new HttpSession({ 'accept-language': 'fr-BE' });
    const { page } = await openSignIn(app, client, session);
    await submitLogin(session, app, page, user.email, user.password);
    expect((await app.services.db.knex('accounts').where({ id: user.id }).first()).language).toBe('fr');

    await app.services.passwordReset.requestReset({ email: user.email, ip: '192.0.2.2' });
    const mail = await sink.next(user.email);
    expect(mail.subject).toBe('Réinitialisez votre mot de passe Latchkey');
    expect(mail.text).toContain('Quelqu’un, peut-être vous, a demandé à réinitialiser le mot de passe');
    expect(await outboxRow(user.email)).toMatchObject({ language: 'fr' });
  });

  it('words what a library says happened (a security notice) in that language, dates and lists too', async () => {
    const user = await createUser(app);
    const session = new HttpSession({ 'accept-language': 'fr' });
    await enrolTotp(app, session, await openSignedIn(app, session, user));
    const mail = await sink.next(user.email);
    expect(mail.subject).toBe('Modification de sécurité sur votre compte Latchkey');
    expect(mail.text).toContain('Une application d’authentification a été ajoutée comme second facteur.');
    expect(mail.text).toContain('Cela supprime l’application d’authentification, ajouté depuis le');
    expect(mail.text).toContain('Cela annule vos codes de récupération');
    const undo = /https?:\/\/\S+\/security\/undo\?token=\S+/.exec(mail.text!)![0];
    const page = await new HttpSession({ 'accept-language': 'de' }).request(undo);
    expect(page.body).toContain('Entfernt wird: die Authenticator-App, hinzugefügt seit');
  });
});
