// The console's overview in Chromium: accounts, sign-ins per day (an SVG chart with its summary
// and its numbers), sign-ups by source and application, the mail outbox and the signing keys,
// each checked against what was done to a fresh database; and a sign-up source carrying markup
// drawn as text.
import crypto from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { makeAdmin, openConsole, seriousViolations } from '../helpers/console.ts';
import { NEW_PASSWORD, openSignIn, startAppWithMail, uniqueEmail } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, signInForTokens, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const DAY_MS = 86_400_000;
const knex = () => app.services.db.knex;

beforeAll(async () => {
  [{ app, sink, client, close }, browser] = await Promise.all([startAppWithMail(), launchBrowser()]);
  const admin = await makeAdmin(app);
  page = await openConsole(browser, app, admin, problems); // the admin's own sign-in: one success today
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await close?.();
});

const statOf = async (name: string) => (await page.getByRole('group', { name, exact: true }).innerText()).split('\n')[0];
const dayWords = (time: number) => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(time));

describe('console: overview', () => {
  it('counts accounts, draws sign-ins per day and sign-ups by source, and shows the outbox and the keys', async () => {
    // Accounts: one that signs in, one that only fails to, one made long ago, two who sign up themselves.
    const signedIn = await createUser(app);
    await signInForTokens(app, client, signedIn);
    const failing = await createUser(app);
    const session = new HttpSession();
    const { page: signIn } = await openSignIn(app, client, session);
    expect((await submitLogin(session, app, signIn, failing.email, 'not the password at all')).status).toBe(401);
    const old = await createUser(app);
    await knex()('accounts').where({ id: old.id }).update({ created_at: new Date(Date.now() - 10 * DAY_MS) });
    const signUps = [uniqueEmail('newsletter'), uniqueEmail('referred')];
    await Promise.all([
      app.services.registration.register({ email: signUps[0]!, password: NEW_PASSWORD, name: 'Signed Up', ip: '192.0.2.1', source: { clientId: client.clientId, referrer: null, utm: { utm_source: '<b>newsletter</b>' } } }),
      app.services.registration.register({ email: signUps[1]!, password: NEW_PASSWORD, name: 'Signed Up', ip: '192.0.2.2', source: { clientId: client.clientId, referrer: 'https://news.example.com/story', utm: null } }),
    ]);
    // Two failures three days ago (events are never changed, so they are written with their time).
    const threeDaysAgo = Date.now() - 3 * DAY_MS;
    await knex()('audit_events').insert([1, 2].map(() => ({ type: 'sign_in.failed', actor_type: 'anonymous', occurred_at: new Date(threeDaysAgo), details: '{}' })));

    // The outbox: the sign-ups' mails delivered; one failing for two hours, one given up.
    await Promise.all(signUps.map((email) => sink.next(email)));
    await expect.poll(async () => Number((await knex()('mail_outbox').whereNull('sent_at').count({ n: '*' }))[0]!.n), { timeout: 5000 }).toBe(0);
    const mail = { to_address: 'x@example.test', subject: 'Hello', template: 'test', language: 'en' };
    await knex()('mail_outbox').insert([
      { ...mail, id: crypto.randomUUID(), created_at: new Date(Date.now() - 2 * 3600_000), attempts: 4, next_attempt_at: new Date(Date.now() + 3600_000), last_error: 'connection refused' },
      { ...mail, id: crypto.randomUUID(), created_at: new Date(Date.now() - 4 * DAY_MS), attempts: 30, next_attempt_at: null, last_error: 'connection refused' },
    ]);

    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    // Admin, the three made here and the two sign-ups; all but the old one are new; the admin and one person signed in.
    expect(Number((await knex()('accounts').count({ n: '*' }))[0]!.n)).toBe(6);
    expect(await statOf('Accounts in all')).toBe('6');
    expect(await statOf('New in the last 7 days')).toBe('5');
    expect(await statOf('Signed in within 24 hours')).toBe('2');

    const chart = page.getByRole('img', { name: 'Sign-ins per day over the last 30 days: 2 succeeded, 3 failed.' });
    expect(await chart.evaluate((element) => element.tagName)).toBe('svg');
    expect(await chart.locator('rect.bar-ok').count()).toBe(1); // today
    expect(await chart.locator('rect.bar-failed').count()).toBe(2); // today and three days ago
    await page.getByText('The numbers, day by day').click();
    const dayRows = page.getByRole('table', { name: 'Sign-ins, last 30 days' }).locator('tbody tr');
    expect(await dayRows.count()).toBe(30);
    expect(await dayRows.nth(0).innerText()).toBe(`${dayWords(Date.now())}\t2\t1`);
    expect(await dayRows.nth(3).innerText()).toBe(`${dayWords(threeDaysAgo)}\t0\t2`);

    // Sign-ups: by source, the markup a link carried is shown as text; by application, the client's name.
    const sources = page.getByRole('img', { name: /By source/ });
    expect(await sources.getAttribute('aria-label')).toBe('Sign-ups, last 30 days. By source: utm_source, else the referring site. Most first: <b>newsletter</b> 1, news.example.com 1');
    expect(await page.locator('main svg b').count()).toBe(0);
    expect(await sources.locator('text').allTextContents()).toEqual(expect.arrayContaining(['<b>newsletter</b>', 'news.example.com']));
    expect(await page.getByRole('img', { name: /By application/ }).getAttribute('aria-label')).toContain('Test RP 2');
    await page.getByText('The numbers', { exact: true }).first().click();
    expect(await page.getByRole('table', { name: 'By source: utm_source, else the referring site' }).locator('tbody tr').allInnerTexts())
      .toEqual(['<b>newsletter</b>\t1', 'news.example.com\t1']);
    expect(await page.locator('main').innerText()).toContain('2 people signed up on their own');

    // Outbox: one waiting (for two hours, failing), one given up.
    const outbox = await page.getByRole('region', { name: 'Mail outbox' }).innerText();
    expect(outbox).toContain('Some mail is not getting through');
    expect(outbox).toMatch(/Waiting to be sent\s+1/);
    expect(outbox).toMatch(/Oldest has waited\s+2 hours/);
    expect(outbox).toMatch(/Failed, to be tried again\s+1/);
    expect(outbox).toMatch(/Given up on \(queued in the last 7 days\)\s+1/);

    // Keys: the one each algorithm signs with; none next until a rotation publishes one.
    const keys = await app.services.signingKeys.listSigningKeys();
    const rs256 = page.getByRole('row', { name: /^RS256/ });
    expect(await rs256.innerText()).toContain(keys.find((key) => key.alg === 'RS256' && key.status === 'signing')!.kid);
    expect(await rs256.innerText()).toContain('None published');
    expect(await seriousViolations(page)).toEqual([]);

    await app.services.signingKeys.rotateSigningKeys({ activateInSeconds: 3600 });
    await page.reload();
    const next = (await app.services.signingKeys.listSigningKeys()).find((key) => key.alg === 'RS256' && key.status === 'next')!;
    expect(await page.getByRole('row', { name: /^RS256/ }).innerText()).toContain(`Published; signs from ${new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC', hourCycle: 'h23' }).format(next.activatesAt)} UTC`);
    expect(problems).toEqual([]);
  });

  it('counts as active someone who went to an application through the session they already had', async () => {
    const person = await createUser(app);
    const { session } = await signInForTokens(app, client, person);
    await page.reload();
    const before = Number(await statOf('Signed in within 24 hours'));
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    await knex()('accounts').where({ id: person.id }).update({ last_login_at: twoDaysAgo });
    await knex()('oidc_payloads').where({ model: 'Session', account_id: person.id }).update({ saved_at: twoDaysAgo });
    await page.reload();
    expect(Number(await statOf('Signed in within 24 hours'))).toBe(before - 1);
    await signInForTokens(app, client, person, { session }); // no password asked: the session signs them in
    expect((await knex()('accounts').where({ id: person.id }).first()).last_login_at).toEqual(twoDaysAgo);
    await page.reload();
    expect(Number(await statOf('Signed in within 24 hours'))).toBe(before);
  });

  it('says when the outbox is fine and nobody signed up', async () => {
    await knex()('mail_outbox').whereNull('sent_at').delete();
    await knex()('accounts').whereIn('signup_method', ['registration', 'email_code']).update({ created_at: new Date(Date.now() - 40 * DAY_MS) });
    await page.reload();
    const outbox = await page.getByRole('region', { name: 'Mail outbox' }).innerText();
    expect(outbox).toContain('Mail is going out');
    expect(outbox).toContain('Nothing is waiting');
    expect(await page.locator('main').innerText()).toContain('0 people signed up on their own');
    expect(await page.getByRole('img', { name: /By source/ }).count()).toBe(0);
  });
});
