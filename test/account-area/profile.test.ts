// The account area's profile page in Chromium: names, picture and language, each change checked
// in the database, the audit log and what an application is given; the language switching this
// browser's pages and the account's mails; refusals that change nothing (a bad picture address,
// a stale sign-in, a form without its CSRF token).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/libraries/i18n/catalogue.ts';
import { ageAccountSignIn, makePerson, openAccount, startAccountArea, type AccountFixture, type Person } from '../helpers/account-area.ts';
import { seriousViolations, signInOnPage } from '../helpers/console.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { signInForTokens, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let fixture: AccountFixture;
let app: TestApp, sink: MailSink, client: TestClient, browser: AccountFixture['browser'];

beforeAll(async () => ({ app, sink, client, browser } = fixture = await startAccountArea()));
afterAll(() => fixture?.close());

const PICTURE = 'https://pictures.example/ada.png';
const accountOf = (id: string) => app.services.db.knex('accounts').where({ id }).first();
const updates = (id: string) => app.services.db.knex('audit_events').where({ subject_id: id, type: 'account.updated' }).orderBy('occurred_at');
const save = (page: Page, label = 'Save') => page.getByRole('button', { name: label, exact: true }).click();

describe('account area: profile', () => {
  it('saves names and a picture: updated_at moves, the audit names the fields, and applications get the picture claim', async () => {
    const person = await makePerson(app);
    const before = await accountOf(person.id);
    const page = await openAccount(browser, app, person, '/account/profile');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Ada Admin');

    await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
    await page.getByLabel('Given name').fill('Ada');
    await page.getByLabel('Family name').fill('Lovelace');
    await page.getByLabel('Picture address (URL)').fill(PICTURE);
    // The picture is asked for with no referrer, and the page's CSP lets it load.
    const pictureRequest = page.waitForRequest(PICTURE);
    const cspViolations: string[] = [];
    page.on('console', (message) => { if (message.text().includes('Content Security Policy')) cspViolations.push(message.text()); });
    await save(page);
    await page.getByText('Your profile was saved.').waitFor();
    expect(new URL(page.url()).search).toBe('?done=saved');
    expect((await pictureRequest).headers().referer ?? '').toBe('');
    expect(cspViolations).toEqual([]);
    expect(await page.locator('main img.account-picture').getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(await seriousViolations(page)).toEqual([]);

    const after = await accountOf(person.id);
    expect(after).toMatchObject({ name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', picture: PICTURE, preferred_language: null });
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
    const [event] = await updates(person.id);
    expect(event).toMatchObject({ actor_type: 'account', actor_id: person.id, details: { fields: ['name', 'given_name', 'family_name', 'picture'] } });
    expect(JSON.stringify(event.details)).not.toMatch(/Lovelace|pictures/); // the fields, never their values

    // Saving the same again writes nothing.
    await save(page);
    await page.getByText('Nothing was different, so nothing changed.').waitFor();
    expect((await accountOf(person.id)).updated_at).toEqual(after.updated_at);
    expect(await updates(person.id)).toHaveLength(1);

    // The account's home shows the picture too.
    await page.goto(`${app.url}/account`);
    expect(await page.locator('main img.account-picture').getAttribute('src')).toBe(PICTURE);

    // An application allowed the profile scope is given the picture, in the ID token and at the userinfo endpoint.
    const { tokens } = await signInForTokens(app, client, person);
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: person.id, name: 'Ada Lovelace', picture: PICTURE, updated_at: Math.floor(after.updated_at.getTime() / 1000) });
    const userinfo = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ sub: person.id, given_name: 'Ada', family_name: 'Lovelace', picture: PICTURE });
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json() as { claims_supported: string[] };
    expect(discovery.claims_supported).toContain('picture');

    // Administrators see the picture and the language preference.
    expect(await app.services.accountAdmin.view(person.id)).toMatchObject({ picture: PICTURE, preferred_language: null });
  });

  it('switches the account\'s pages (in any browser that picked none) and mails to the language chosen, and back to the browser\'s', async () => {
    const person = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/profile');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('de');
    await save(page);
    await page.getByText('Ihr Profil wurde gespeichert.').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.getByRole('combobox', { name: 'Sprache' }).inputValue()).toBe('de');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await accountOf(person.id)).toMatchObject({ preferred_language: 'de', language: 'de' });
    expect((await page.context().cookies()).find((cookie) => cookie.name === 'lk_lang')?.value).toBe('de');
    const [event] = await updates(person.id);
    expect(event.details).toEqual({ fields: ['preferred_language'] });

    // The next mail no page causes (an administrator's reset) is in German.
    const product = app.services.config.brand.name;
    await app.services.accountAdmin.sendPasswordReset(person.id);
    expect((await sink.next(person.email)).subject).toBe(translator('de')('mail.passwordReset.subject', { product }));
    // Another browser, which never picked a language, shows the account area in German as well.
    const elsewhere = await openAccount(browser, app, person, '/account/profile');
    expect(await elsewhere.locator('html').getAttribute('lang')).toBe('de');
    await elsewhere.context().close();

    // "As my browser asks": the browser's English again, here and in mails.
    await page.getByRole('combobox', { name: 'Sprache' }).selectOption('');
    await save(page, 'Speichern');
    await page.getByText('Your profile was saved.').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await accountOf(person.id)).toMatchObject({ preferred_language: null, language: 'en' });
    expect((await page.context().cookies()).some((cookie) => cookie.name === 'lk_lang')).toBe(false);
    await app.services.accountAdmin.sendPasswordReset(person.id);
    expect((await sink.next(person.email)).subject).toBe(translator('en')('mail.passwordReset.subject', { product }));
  });

  it('refuses a picture address that is not https, carries a password or is too long: the reason under it, nothing changed', async () => {
    const person = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/profile');
    const before = await accountOf(person.id);
    const picture = page.getByLabel('Picture address (URL)');
    for (const [address, reason] of [
      ['http://pictures.example/me.png', 'Enter the full address of a picture, starting with https://.'],
      ['javascript:alert(1)', 'Enter the full address of a picture, starting with https://.'],
      ['https://me:secret@pictures.example/me.png', 'Leave the user name and password out of the picture\'s address.'],
      [`https://pictures.example/${'a'.repeat(2000)}.png`, 'Use a picture address of at most 2000 characters.'],
    ] as const) {
      await page.getByLabel('Name', { exact: true }).fill('Someone Else');
      await picture.evaluate((input: HTMLInputElement) => input.removeAttribute('maxlength')); // as a script could send it
      await picture.fill(address);
      const answer = page.waitForResponse((response) => response.url() === `${app.url}/account/profile` && response.request().method() === 'POST');
      await save(page);
      expect((await answer).status()).toBe(400);
      expect(await page.locator('#picture-error').innerText()).toBe(reason);
      expect(await picture.getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Someone Else'); // what was typed stays
    }
    expect(await seriousViolations(page)).toEqual([]);
    expect(await accountOf(person.id)).toEqual(before);
    expect(await updates(person.id)).toHaveLength(0);
  });

  it('refuses a change from a sign-in older than 5 minutes, and makes it after signing in again', async () => {
    const person: Person = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/profile');
    await ageAccountSignIn(app, page, 600);
    await page.getByLabel('Family name').fill('Byron');
    await save(page);
    await page.getByRole('heading', { name: 'Sign in again' }).waitFor();
    expect((await accountOf(person.id)).family_name).toBeNull();
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signInOnPage(page, person);
    await page.waitForURL(`${app.url}/account/profile`);
    await page.getByLabel('Family name').fill('Byron');
    await save(page);
    await page.getByText('Your profile was saved.').waitFor();
    expect((await accountOf(person.id)).family_name).toBe('Byron');
  });

  it('refuses a form without its CSRF token: 403, nothing changed', async () => {
    const person = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/profile');
    const before = await accountOf(person.id);
    const forged = await page.context().request.post(`${app.url}/account/profile`, { form: { name: 'Forged', picture: PICTURE }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await accountOf(person.id)).toEqual(before);
    expect(await updates(person.id)).toHaveLength(0);
  });
});
