// The account area's password page in Chromium: changing the password with the current one (a
// wrong one or a weak new one changes nothing), other browsers and applications signed out unless
// the person keeps them, the owner mailed; setting a first password on an account that signs in
// with mailed codes; and the refusals (stale sign-in, no CSRF token).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageAccountSignIn, makePerson, openAccount, startAccountArea, type AccountFixture, type Person } from '../helpers/account-area.ts';
import { seriousViolations } from '../helpers/console.ts';
import { codeIn, linkIn, NEW_PASSWORD, uniqueEmail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let fixture: AccountFixture;
let app: TestApp, sink: MailSink, client: TestClient;

beforeAll(async () => ({ app, sink, client } = fixture = await startAccountArea()));
afterAll(() => fixture?.close());

const knex = () => app.services.db.knex;
const accountOf = (id: string) => knex()('accounts').where({ id }).first();
const sessionCount = async (accountId: string) => (await knex()('oidc_payloads').where({ model: 'Session', account_id: accountId })).length;
const changeEvents = (accountId: string) => knex()('audit_events').where({ subject_id: accountId, type: 'password.changed' });
const passwordWorks = async (email: string, password: string) => (await app.services.accounts.authenticateWithPassword(email, password)) !== undefined;

/** Still signed in to the account area: the page opens instead of sending the browser to sign in. */
async function signedIn(page: Page): Promise<boolean> {
  await page.goto(`${app.url}/account`);
  return new URL(page.url()).pathname === '/account';
}

async function submitChange(page: Page, fields: { current?: string; password: string; signOutOthers?: boolean }) {
  if (fields.current !== undefined) await page.getByLabel('Current password').fill(fields.current);
  await page.getByLabel('New password').fill(fields.password);
  if (fields.signOutOthers === false) await page.getByLabel('Sign out everywhere else').uncheck();
  await page.getByRole('button', { name: /^(Change|Set) password$/ }).click();
  await page.waitForLoadState();
}

describe('account area: password', () => {
  it('refuses a wrong current password and a weak new one, under the field concerned, changing nothing', async () => {
    const person = await makePerson(app);
    const page = await openAccount(fixture.browser, app, person, '/account/password');
    expect(await seriousViolations(page)).toEqual([]);
    // What password managers need: the account's name, and which field is which.
    expect(await page.locator('input[autocomplete="username"]').inputValue()).toBe(person.email);
    expect(await page.getByLabel('Current password').getAttribute('autocomplete')).toBe('current-password');
    expect(await page.getByLabel('New password').getAttribute('autocomplete')).toBe('new-password');
    expect(await page.getByLabel('Sign out everywhere else').isChecked()).toBe(true);
    const before = await accountOf(person.id);

    await submitChange(page, { current: 'not my password at all', password: NEW_PASSWORD });
    expect(await page.locator('#current-password-error').innerText()).toBe('That is not your current password.');
    expect(await page.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    // Counted like a wrong sign-in password: a stolen session cannot guess at leisure.
    expect(await knex()('throttles').where({ key: `own-password:account:${person.id}` }).first()).toMatchObject({ failures: 1 });

    await submitChange(page, { current: person.password, password: 'password123' });
    expect(await page.locator('#new-password-error').innerText()).toMatch(/one of the most common passwords/);
    await submitChange(page, { current: person.password, password: 'ada admin 1' });
    expect(await page.locator('#new-password-error').innerText()).toMatch(/name or email address/);

    expect((await accountOf(person.id)).password_hash).toBe(before.password_hash);
    expect(await changeEvents(person.id)).toEqual([]);
    expect(await knex()('mail_outbox').where({ to_address: person.email })).toEqual([]);
    await page.context().close();
  });

  it('changes the password, signs out the other browsers and the applications signed in there, keeps this one, and mails the owner', async () => {
    const person = await makePerson(app);
    const here = await openAccount(fixture.browser, app, person, '/account/password');
    const there = await openAccount(fixture.browser, app, person, '/account');
    const { tokens } = await signInForTokens(app, client, person, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    await knex()('accounts').where({ id: person.id }).update({ email_verified: false }); // a change made here proves nothing about the address
    expect(await sessionCount(person.id)).toBe(3);

    await submitChange(here, { current: person.password, password: NEW_PASSWORD });
    await here.getByText('Your password is changed, and every other device is signed out.').waitFor();
    expect(await seriousViolations(here)).toEqual([]);

    const account = await accountOf(person.id);
    expect(account.email_verified).toBe(false);
    expect(account.password_changed_at).toBeTruthy();
    expect(await passwordWorks(person.email, NEW_PASSWORD)).toBe(true);
    expect(await passwordWorks(person.email, person.password)).toBe(false);
    const [event] = await changeEvents(person.id);
    expect(event.details).toEqual({ by: 'self', first: false, other_sessions_ended: true });

    expect(await sessionCount(person.id)).toBe(1);
    expect((await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).body.error).toBe('invalid_grant');
    expect(await signedIn(there)).toBe(false);
    expect(await signedIn(here)).toBe(true);

    const mail = await sink.next(person.email);
    expect(mail.subject).toBe('Your Latchkey password was changed');
    expect(mail.text).toMatch(/Your password was changed on your account page on .+ UTC, from Chrome \d+ on Linux \(IP address 127\.0\.0\.1\)\./);
    expect(mail.text).toContain('Every other device that was signed in to your account was signed out.');
    expect(linkIn(mail, '/password/forgot')).toBe(`${app.url}/password/forgot`);
    await here.context().close();
    await there.context().close();
  });

  it('keeps the other browsers and their applications signed in when "sign out everywhere else" is unticked', async () => {
    const person = await makePerson(app);
    const here = await openAccount(fixture.browser, app, person, '/account/password');
    const there = await openAccount(fixture.browser, app, person, '/account');
    const { tokens } = await signInForTokens(app, client, person, { params: { scope: 'openid offline_access', prompt: 'consent' } });

    await submitChange(here, { current: person.password, password: NEW_PASSWORD, signOutOthers: false });
    await here.getByText('Your password is changed.', { exact: true }).waitFor();
    expect(await passwordWorks(person.email, NEW_PASSWORD)).toBe(true);
    expect(await sessionCount(person.id)).toBe(3);
    expect((await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(200);
    expect(await signedIn(there)).toBe(true);
    const [event] = await changeEvents(person.id);
    expect(event.details).toMatchObject({ by: 'self', other_sessions_ended: false });
    const mail = await sink.next(person.email);
    expect(mail.text).toContain('Devices that were signed in stay signed in.');
    expect(linkIn(mail, '/account/devices')).toBe(`${app.url}/account/devices`);
    await here.context().close();
    await there.context().close();
  });

  it('sets a first password for an account that signed in with a mailed code, asking for no current one', async () => {
    const email = uniqueEmail('codes');
    const account = await app.services.accountAdmin.create({ email, name: 'Cody Mailer', emailVerified: true, invite: false });
    const page = await (await fixture.browser.newContext()).newPage();
    await page.goto(`${app.url}/account/password`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a code instead' }).click();
    await page.getByLabel('Code').fill(codeIn(await sink.next(email)));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/account/password');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.getByLabel('Current password').count()).toBe(0);

    await submitChange(page, { password: NEW_PASSWORD });
    await page.getByText('Your password is set, and every other device is signed out.').waitFor();
    expect(await passwordWorks(email, NEW_PASSWORD)).toBe(true);
    const [event] = await changeEvents(account.id);
    expect(event.details).toEqual({ by: 'self', first: true, other_sessions_ended: true });
    const mail = await sink.next(email);
    expect(mail.subject).toBe('A password was set for your Latchkey account');
    expect(mail.text).toContain('You can now sign in with your email address and this password.');
    // From now on the page asks for it.
    await page.reload();
    expect(await page.getByLabel('Current password').count()).toBe(1);
    await page.context().close();
  });

  it('refuses a change after a stale sign-in, and without a CSRF token', async () => {
    const person: Person = await makePerson(app);
    const page = await openAccount(fixture.browser, app, person, '/account/password');
    const before = (await accountOf(person.id)).password_hash;

    const forged = await page.request.post(`${app.url}/account/password`, {
      form: { 'current-password': person.password, 'new-password': NEW_PASSWORD, 'sign-out-others': 'yes' }, maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);

    await ageAccountSignIn(app, page, 600);
    await submitChange(page, { current: person.password, password: NEW_PASSWORD });
    await page.waitForURL((url) => url.pathname === '/account/sign-in-again');
    expect(new URL(page.url()).searchParams.get('return')).toBe('/account/password');

    expect((await accountOf(person.id)).password_hash).toBe(before);
    expect(await changeEvents(person.id)).toEqual([]);
    await page.context().close();
  });
});
