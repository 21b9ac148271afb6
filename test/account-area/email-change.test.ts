// The account area's email page in Chromium: a new address proved with a mailed code, the old
// address told with a "this wasn't me" link that puts it back and ends every session, and what
// an attacker tries: another account's address (same page, its owner mailed), guessing the code,
// a stale sign-in, a form without its CSRF token, an address taken while the code was on its way.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEADY_ANSWER_MS } from '../../src/libraries/steady-timing.ts';
import { ageAccountSignIn, makePerson, openAccount, startAccountArea, type AccountFixture, type Person } from '../helpers/account-area.ts';
import { freshCode, seriousViolations, signInOnPage } from '../helpers/console.ts';
import { codeIn, linkIn, NEW_PASSWORD, uniqueEmail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let fixture: AccountFixture;
let app: TestApp, sink: MailSink, client: TestClient, browser: AccountFixture['browser'];

beforeAll(async () => ({ app, sink, client, browser } = fixture = await startAccountArea()));
afterAll(() => fixture?.close());

const accountOf = (id: string) => app.services.db.knex('accounts').where({ id }).first();
const eventsOf = (id: string, type: string) => app.services.db.knex('audit_events').where({ subject_id: id, type }).orderBy('occurred_at');
const liveSessions = (id: string) => app.services.queries.oidcPayloads.listLivePayloadsOfAccount('Session', id);

/** Asks for `address` on the email page; resolves with the status of the answer once its page is shown. */
async function askFor(page: Page, address: string): Promise<number> {
  await page.goto(`${app.url}/account/email`);
  await page.getByLabel('New email address').fill(address);
  const answer = page.waitForResponse((response) => response.url() === `${app.url}/account/email` && response.request().method() === 'POST');
  await page.getByRole('button', { name: 'Send a code' }).click();
  const status = (await answer).status();
  await page.waitForLoadState();
  return status;
}

async function enterCode(page: Page, code: string) {
  await page.getByLabel('Code from the mail').fill(code);
  await page.getByRole('button', { name: 'Change my address' }).click();
  await page.waitForLoadState();
}

describe('account area: email', () => {
  it('changes the address once the code mailed to it is entered, tells the old address, and its link puts it back and signs out everywhere', async () => {
    const person = await makePerson(app);
    const oldEmail = person.email;
    const newEmail = uniqueEmail('moved');
    const page = await openAccount(browser, app, person, '/account/email');
    expect(await page.locator('main').innerText()).toContain(oldEmail);
    expect(await seriousViolations(page)).toEqual([]);
    // A reset link mailed to the old address before the change: it stops working with the change.
    await app.services.accountAdmin.sendPasswordReset(person.id);
    const oldReset = linkIn(await sink.next(oldEmail), '/password/reset');

    expect(await askFor(page, `  ${newEmail.toUpperCase()} `)).toBe(200); // normalised: trimmed, lower case
    await page.getByRole('heading', { name: 'Enter the code' }).waitFor();
    expect(await page.locator('main').innerText()).toContain(newEmail);
    expect(await seriousViolations(page)).toEqual([]);
    const codeMail = await sink.next(newEmail);
    expect(sink.envelopeTo(codeMail)).toEqual([newEmail]);
    expect(codeMail.text).not.toMatch(/Ada/); // no greeting by name: the address is not proved yet
    expect((await accountOf(person.id)).email).toBe(oldEmail); // nothing changes until the code is in
    expect(await eventsOf(person.id, 'email.change_requested')).toHaveLength(1);

    await enterCode(page, codeIn(codeMail));
    await page.getByText('Your address was changed. Your old address was mailed a notice.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/account/email');
    expect(await page.locator('main').innerText()).toContain(newEmail);
    expect(await accountOf(person.id)).toMatchObject({ email: newEmail, email_verified: true });
    const [changed] = await eventsOf(person.id, 'email.changed');
    expect(changed).toMatchObject({ actor_type: 'account', actor_id: person.id, details: { by: 'self' } });
    expect((await app.services.db.knex('one_time_secrets').where({ account_id: person.id, purpose: 'reset_password' }))).toHaveLength(0);
    expect((await fetch(oldReset)).status).toBe(400);
    // While its undo link lives, the old address is held: nobody registers it, and the account cannot be deleted from under it.
    await expect(app.services.accounts.createAccount({ email: oldEmail, password: NEW_PASSWORD, signupMethod: 'registration' })).rejects.toMatchObject({ code: 'email_taken' });
    await expect(app.services.accountAdmin.delete(person.id, { by: 'self' })).rejects.toMatchObject({ code: 'address_change_pending', status: 409 });

    const notice = await sink.next(oldEmail);
    expect(notice.subject).toBe(`The email address of your ${app.services.config.brand.name} account was changed`);
    expect(notice.text).toContain(newEmail);
    const undo = linkIn(notice, '/account/email/undo');
    const stored = await app.services.db.knex('one_time_secrets').where({ account_id: person.id, purpose: 'undo_email_change' }).first();
    expect(stored.email).toBe(oldEmail);
    expect(stored.secret_hash).not.toContain(new URL(undo).searchParams.get('token')); // kept only as a hash
    expect(stored.expires_at.getTime() - stored.created_at.getTime()).toBe(7 * 24 * 60 * 60 * 1000);

    // Whoever changed it is signed in here and in an application (with a refresh token).
    const { tokens } = await signInForTokens(app, client, { email: newEmail, password: person.password }, { params: { scope: 'openid email offline_access', prompt: 'consent' } });
    expect(tokens.refresh_token).toBeTruthy();
    expect((await liveSessions(person.id)).length).toBeGreaterThanOrEqual(2);
    // … and set up an authenticator app of their own, whose notice goes to the new address.
    const changedAccount = (await accountOf(person.id))!;
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(changedAccount);
    await app.services.secondFactors.confirmTotp(changedAccount, enrolment.factorId, await freshCode(enrolment.secret));
    await sink.next(newEmail);

    // The owner of the old address opens the link in a browser of their own: opening it changes nothing.
    const owner = await (await browser.newContext()).newPage();
    await owner.goto(undo);
    await owner.getByRole('heading', { name: 'Undo the change of address' }).waitFor();
    const explained = await owner.locator('main').innerText();
    expect(explained).toContain(oldEmail);
    expect(explained).toContain(newEmail);
    expect(await seriousViolations(owner)).toEqual([]);
    expect((await accountOf(person.id)).email).toBe(newEmail);

    await owner.getByRole('button', { name: 'Undo the change and sign out everywhere' }).click();
    await owner.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await owner.locator('main').innerText()).toContain(`${oldEmail} is the address of your account again.`);
    expect(await seriousViolations(owner)).toEqual([]);
    expect(await accountOf(person.id)).toMatchObject({ email: oldEmail, email_verified: true, password_hash: null });
    expect(await liveSessions(person.id)).toEqual([]);
    expect((await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).body.error).toBe('invalid_grant');
    expect((await sink.next(newEmail)).subject).toBe(`The change of your ${app.services.config.brand.name} address was undone`);
    const [undone] = await eventsOf(person.id, 'email.change_undone');
    expect(undone.details).toEqual({ restored: true, removed_factors: [enrolment.factorId] });
    // What was added after the change went with it: the app and its recovery codes, and the consent given.
    expect(await app.services.secondFactors.hasAny(person.id)).toBe(false);
    expect(await app.services.db.knex('recovery_codes').where({ account_id: person.id })).toEqual([]);
    expect(await app.services.consents.list(person.id)).toEqual([]);
    // The account area in the changer's browser asks for a sign-in again.
    await page.goto(`${app.url}/account/email`);
    expect(new URL(page.url()).pathname).not.toMatch(/^\/account/);

    await owner.getByLabel('New password').fill(NEW_PASSWORD);
    await owner.getByRole('button', { name: 'Save new password' }).click();
    await owner.getByRole('heading', { name: 'Password changed' }).waitFor();
    // The link worked once.
    await owner.goto(undo);
    await owner.getByText('This link has expired or was already used.').first().waitFor();
  });

  it('keeps the old address\'s link through a second change; a later link finding its address taken says so, still signs out, and offers no password', async () => {
    const person = await makePerson(app);
    const [first, second] = [person.email, uniqueEmail('second')];
    const third = uniqueEmail('third');
    const page = await openAccount(browser, app, person, '/account/email');
    const change = async (to: string, from: string) => {
      await askFor(page, to);
      await enterCode(page, codeIn(await sink.next(to)));
      await page.getByText('Your address was changed.').waitFor();
      return linkIn(await sink.next(from), '/account/email/undo');
    };
    const firstUndo = await change(second, first);
    const secondUndo = await change(third, second);
    // The middle address is held while its link lives: nobody registers it; only an administrator can give it away.
    await expect(app.services.accountAdmin.create({ email: second, invite: false })).rejects.toMatchObject({ code: 'email_taken' });
    const other = await app.services.accountAdmin.create({ email: uniqueEmail('other'), invite: false });
    await app.services.accountAdmin.updateProfile(other.id, { email: second });

    const reader = await (await browser.newContext()).newPage();
    await reader.goto(secondUndo);
    expect(await reader.getByRole('alert').innerText()).toBe(`${second} now belongs to another account, so it cannot be put back: the account keeps ${third}.`);
    expect(await seriousViolations(reader)).toEqual([]);
    await reader.getByRole('button', { name: 'Undo the change and sign out everywhere' }).click();
    // The account stays on an address whoever made the change may read: no password is chosen from here.
    await reader.getByText(`Your old address belongs to another account, so the account's address is still ${third}, and no password can be chosen from here.`).waitFor();
    expect(await reader.getByLabel('New password').count()).toBe(0);
    expect(await accountOf(person.id)).toMatchObject({ email: third, password_hash: null });
    expect(await liveSessions(person.id)).toEqual([]);
    expect((await eventsOf(person.id, 'email.change_undone')).map((event) => event.details)).toEqual([{ restored: false, removed_factors: [] }]);

    // The first address's link still undoes the first change: a later change, or its link, cannot cancel it.
    const owner = await (await browser.newContext()).newPage();
    await owner.goto(firstUndo);
    await owner.getByRole('button', { name: 'Undo the change and sign out everywhere' }).click();
    await owner.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await accountOf(person.id)).toMatchObject({ email: first, email_verified: true, password_hash: null });
    expect((await accountOf(person.id)).password_hash).toBeNull();
  });

  it('answers an address another account has with the same page, mails that account\'s owner, and no code works', async () => {
    const person = await makePerson(app);
    const other = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/email');
    const free = uniqueEmail('free');

    const started = performance.now();
    expect(await askFor(page, free)).toBe(200);
    const freeTime = performance.now() - started;
    const pageFor = async (address: string) => (await page.locator('main').innerText()).replaceAll(address, '<address>').replace(/\d+/g, '<n>');
    const freePage = await pageFor(free);
    await sink.next(free);

    const again = performance.now();
    expect(await askFor(page, other.email.toUpperCase())).toBe(200);
    const takenTime = performance.now() - again;
    expect(await pageFor(other.email)).toBe(freePage);
    expect(Math.min(freeTime, takenTime)).toBeGreaterThanOrEqual(STEADY_ANSWER_MS);

    const warning = await sink.next(other.email);
    expect(warning.subject).toBe(`Someone tried to use your address for another ${app.services.config.brand.name} account`);
    expect(warning.text).not.toContain('Your code');
    expect(warning.text).not.toContain(person.email); // nothing about who tried
    expect(linkIn(warning, '/password/forgot')).toBeTruthy();
    expect(await app.services.db.knex('one_time_secrets').where({ email: other.email.toLowerCase(), purpose: 'change_email' })).toHaveLength(0);

    await enterCode(page, '123456');
    expect(await page.locator('#code-error').innerText()).toContain('That code is not right');
    expect((await accountOf(person.id)).email).toBe(person.email);
    expect((await accountOf(other.id)).email).toBe(other.email);
    expect(await eventsOf(person.id, 'email.changed')).toHaveLength(0);
    // Both asks were audited alike: the person's own activity cannot tell the two apart.
    expect((await eventsOf(person.id, 'email.change_requested')).map((event) => event.details)).toEqual([{}, {}]);
  });

  it('stops accepting codes after five wrong ones, even the right one, and holds back a second mail for a while', async () => {
    const person = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/email');
    const newEmail = uniqueEmail('guessed');
    await askFor(page, newEmail);
    const code = codeIn(await sink.next(newEmail));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await enterCode(page, wrong);
      expect(await page.locator('#code-error').innerText()).toContain('That code is not right');
    }
    await enterCode(page, code);
    expect(await page.locator('#code-error').innerText()).toContain('entered wrongly too many times');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await accountOf(person.id)).email).toBe(person.email);

    // "Send a new code" waits out the cooldown: the button counts down, and a post before that is refused.
    const resend = page.getByRole('button', { name: /Send a new code/ });
    expect(await resend.isDisabled()).toBe(true);
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    const early = await page.context().request.post(`${app.url}/account/email/resend`, { form: { _csrf: csrf, email: newEmail }, maxRedirects: 0 });
    expect(early.status()).toBe(429);
    expect(await early.text()).toContain('A mail was sent to this address a moment ago');
  });

  it('refuses a change from a sign-in older than 5 minutes, and makes it after signing in again', async () => {
    const person: Person = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/email');
    await ageAccountSignIn(app, page, 600);
    const newEmail = uniqueEmail('later');
    await page.getByLabel('New email address').fill(newEmail);
    await page.getByRole('button', { name: 'Send a code' }).click();
    await page.getByRole('heading', { name: 'Sign in again' }).waitFor();
    expect(await eventsOf(person.id, 'email.change_requested')).toHaveLength(0);
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signInOnPage(page, person);
    await page.waitForURL(`${app.url}/account/email`);
    expect(await askFor(page, newEmail)).toBe(200);
    await enterCode(page, codeIn(await sink.next(newEmail)));
    await page.getByText('Your address was changed.').waitFor();
    expect((await accountOf(person.id)).email).toBe(newEmail);
    await sink.next(person.email); // the notice
  });

  it('refuses forms without their CSRF token: 403, nothing changed and nothing mailed', async () => {
    const person = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/email');
    const newEmail = uniqueEmail('forged');
    for (const path of ['/account/email', '/account/email/resend', '/account/email/confirm']) {
      const forged = await page.context().request.post(`${app.url}${path}`, { form: { email: newEmail, code: '123456' }, maxRedirects: 0 });
      expect(forged.status(), path).toBe(403);
    }
    expect(await eventsOf(person.id, 'email.change_requested')).toHaveLength(0);
    expect(await app.services.db.knex('one_time_secrets').where({ email: newEmail })).toHaveLength(0);
    expect((await accountOf(person.id)).email).toBe(person.email);
  });

  it('refuses a code whose address another account took meanwhile, changing nothing', async () => {
    const person = await makePerson(app);
    const page = await openAccount(browser, app, person, '/account/email');
    const newEmail = uniqueEmail('raced');
    await askFor(page, newEmail);
    const code = codeIn(await sink.next(newEmail));
    const taker = await app.services.accountAdmin.create({ email: newEmail, invite: false });
    await enterCode(page, code);
    expect(await page.locator('main').innerText()).toContain('Another account has this address now, so it cannot become yours. Nothing was changed.');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await accountOf(person.id)).email).toBe(person.email);
    expect((await accountOf(taker.id)).email).toBe(newEmail);
    expect(await eventsOf(person.id, 'email.changed')).toHaveLength(0);
    expect(sink.mails.filter((mail) => mail.to && JSON.stringify(mail.to).includes(person.email))).toEqual([]); // no notice
  });
});
