// The account area's devices page in Chromium: every browser signed in to the account (named from
// its user agent, "this device" marked, the applications it signed in to), signing one out from
// another, signing out all others or this one, the refusals, and the admin console's view of the same.
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceNames } from '../../src/libraries/device-names.ts';
import { ageAccountSignIn, openAccount, startAccountArea, makePerson, type AccountFixture, type Person } from '../helpers/account-area.ts';
import { makeAdmin, openConsole, seriousViolations, signInOnPage } from '../helpers/console.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

let fixture: AccountFixture;
let app: TestApp, client: TestClient;

beforeAll(async () => ({ app, client } = fixture = await startAccountArea()));
afterAll(() => fixture?.close());

const knex = () => app.services.db.knex;
const sessionIdsOf = async (accountId: string): Promise<string[]> =>
  (await knex()('oidc_payloads').where({ model: 'Session', account_id: accountId }).select('id')).map((row: { id: string }) => row.id);
const eventsOf = (accountId: string, type: string) => knex()('audit_events').where({ subject_id: accountId, type }).orderBy('id');

/** The stored id of a browser's provider session: the digest of its cookie, as the page shows it. */
async function sessionIdOf(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((each) => each.name === 'lk_session' || each.name === '__Host-lk_session');
  expect(cookie, 'a provider session cookie').toBeTruthy();
  return crypto.createHash('sha256').update(cookie!.value).digest('base64url');
}

/** A browser of its own with another user agent, signed in to the account area on `path`. */
async function openAs(person: Person, path: string, userAgent: string): Promise<Page> {
  const page = await (await fixture.browser.newContext({ userAgent })).newPage();
  await page.goto(`${app.url}${path}`);
  await signInOnPage(page, person);
  await page.waitForURL((url) => url.pathname === path);
  return page;
}

const rowOf = (page: Page, sessionId: string) => page.locator('.devices > li').filter({ has: page.locator(`form[action="/account/devices/${sessionId}/sign-out"]`) });
const isAtSignIn = async (page: Page, path: string) => {
  await page.goto(`${app.url}${path}`);
  return new URL(page.url()).pathname.startsWith('/interaction/');
};

describe('account area: devices', () => {
  it('lists every browser signed in, named from its user agent, with this device first and marked', async () => {
    const person = await makePerson(app);
    const here = await openAccount(fixture.browser, app, person, '/account/devices');
    const phone = await openAs(person, '/account/devices', IPHONE);
    // An application signed in from a third browser (Firefox on Windows, over plain HTTP).
    await signInForTokens(app, client, person, { session: new HttpSession({ 'user-agent': FIREFOX_WINDOWS }) });

    await here.reload();
    expect(await seriousViolations(here)).toEqual([]);
    const rows = here.locator('.devices > li');
    await expect(rows.count()).resolves.toBe(3);
    const [hereId, phoneId] = [await sessionIdOf(here), await sessionIdOf(phone)];
    const stored = await sessionIdsOf(person.id);
    expect(stored).toHaveLength(3);
    expect(stored).toEqual(expect.arrayContaining([hereId, phoneId]));

    const first = await rows.first().innerText();
    expect(first).toMatch(/^Chrome \d+ on Linux This device/);
    expect(first).toContain('IP address 127.0.0.1');
    expect(first).toContain('Active now');
    expect(await rows.first().locator('form').getAttribute('action')).toBe(`/account/devices/${hereId}/sign-out`);
    expect(await rowOf(here, phoneId).innerText()).toMatch(/^Safari 17 on iOS 17\.5\n/);
    const app3 = await rows.filter({ hasText: 'Firefox 128 on Windows 10' }).innerText();
    expect(app3).toContain('Signed in to Test RP');
    expect(app3).not.toContain('This device');
    // The page shows stored ids (digests), never a cookie value.
    const html = await here.content();
    for (const cookie of await here.context().cookies()) if (cookie.name.endsWith('lk_session')) expect(html).not.toContain(cookie.value);

    // The other browser sees itself marked.
    await phone.reload();
    expect(await rowOf(phone, phoneId).innerText()).toContain('This device');
    expect(await rowOf(phone, hereId).innerText()).not.toContain('This device');
    await here.context().close();
    await phone.context().close();
  });

  it('signs another browser out from this one (its next page goes to sign-in), then this one without a recent sign-in', async () => {
    const person = await makePerson(app);
    const here = await openAccount(fixture.browser, app, person, '/account/devices');
    const there = await openAccount(fixture.browser, app, person, '/account/profile');
    const thereId = await sessionIdOf(there);
    await here.reload();
    await rowOf(here, thereId).getByRole('button', { name: /^Sign out Chrome \d+ on Linux$/ }).click();
    await here.getByText('That device is signed out.').waitFor();
    expect(await sessionIdsOf(person.id)).toEqual([await sessionIdOf(here)]);
    expect(await here.locator('.devices > li').count()).toBe(1);
    expect(await here.getByText('No other browser is signed in to your account.').isVisible()).toBe(true);
    expect(await seriousViolations(here)).toEqual([]);
    const [event] = await eventsOf(person.id, 'session.ended');
    expect(event.details).toMatchObject({ which: 'one' });
    expect(event.details.records).toBeGreaterThanOrEqual(1);
    expect(await isAtSignIn(there, '/account/profile')).toBe(true);

    // Signing yourself out lowers nothing: no recent sign-in needed; the browser must then sign in again.
    await ageAccountSignIn(app, here, 600);
    await here.goto(`${app.url}/account/devices`);
    await here.getByRole('button', { name: 'Sign out this device' }).click();
    await here.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    expect(await sessionIdsOf(person.id)).toEqual([]);
    await here.context().close();
    await there.context().close();
  });

  it('signs out all other browsers and the tokens applications got there, keeping this one', async () => {
    const person = await makePerson(app);
    const here = await openAccount(fixture.browser, app, person, '/account/devices');
    const there = await openAccount(fixture.browser, app, person, '/account');
    const { tokens } = await signInForTokens(app, client, person, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    expect(tokens.refresh_token).toBeTruthy();
    await here.reload();
    await expect(here.locator('.devices > li').count()).resolves.toBe(3);

    await here.getByRole('button', { name: 'Sign out all other devices' }).click();
    await here.getByText('Every other device is signed out.').waitFor();
    expect(await sessionIdsOf(person.id)).toEqual([await sessionIdOf(here)]);
    const refreshed = await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    const [event] = await eventsOf(person.id, 'session.ended');
    expect(event.details).toMatchObject({ which: 'others' });
    expect(event.details.records).toBeGreaterThanOrEqual(3); // two sessions, a grant, tokens

    expect(await isAtSignIn(there, '/account')).toBe(true);
    expect(await isAtSignIn(here, '/account/devices')).toBe(false);
    await here.context().close();
    await there.context().close();
  });

  it('refuses without a CSRF token, after a stale sign-in, and for a device of another person, changing nothing', async () => {
    const person = await makePerson(app);
    const stranger = await makePerson(app);
    const here = await openAccount(fixture.browser, app, person, '/account/devices');
    const there = await openAccount(fixture.browser, app, person, '/account');
    const theirs = await openAccount(fixture.browser, app, stranger, '/account');
    const [thereId, theirsId] = [await sessionIdOf(there), await sessionIdOf(theirs)];
    await here.reload();
    const csrf = await here.locator('input[name="_csrf"]').first().inputValue();
    const before = { mine: await sessionIdsOf(person.id), theirs: await sessionIdsOf(stranger.id) };

    // No CSRF token: refused before anything is looked at.
    for (const path of [`/account/devices/${thereId}/sign-out`, '/account/devices/sign-out-others']) {
      expect((await here.request.post(`${app.url}${path}`, { form: {}, maxRedirects: 0 })).status()).toBe(403);
    }
    // Another person's session id (or one that is nobody's): not found, nothing ends.
    for (const id of [theirsId, 'no-such-session']) {
      const answer = await here.request.post(`${app.url}/account/devices/${id}/sign-out`, { form: { _csrf: csrf }, maxRedirects: 0 });
      expect(answer.status()).toBe(404);
      expect(await answer.text()).toContain('That browser is not signed in to your account (any more).');
    }
    expect(await sessionIdsOf(person.id)).toEqual(before.mine);
    expect(await sessionIdsOf(stranger.id)).toEqual(before.theirs);
    expect(await isAtSignIn(theirs, '/account')).toBe(false);

    // A sign-in older than 5 minutes: sent to sign in again, nothing ends.
    await ageAccountSignIn(app, here, 600);
    await here.reload();
    await rowOf(here, thereId).getByRole('button').click();
    await here.waitForURL((url) => url.pathname === '/account/sign-in-again');
    expect(new URL(here.url()).searchParams.get('return')).toBe('/account/devices');
    await here.goto(`${app.url}/account/devices`);
    await here.getByRole('button', { name: 'Sign out all other devices' }).click();
    await here.waitForURL((url) => url.pathname === '/account/sign-in-again');
    expect(await sessionIdsOf(person.id)).toEqual(before.mine);
    expect(await eventsOf(person.id, 'session.ended')).toEqual([]);
    for (const page of [here, there, theirs]) await page.context().close();
  });

  it('shows the admin console and API the browser and system, with the raw user agent on demand', async () => {
    const person = await makePerson(app);
    const phone = await openAs(person, '/account', IPHONE);
    const admin = await makeAdmin(app);
    const consolePage = await openConsole(fixture.browser, app, admin);
    await consolePage.goto(`${app.url}/admin/people/${person.id}`);
    expect(await seriousViolations(consolePage)).toEqual([]);
    const cell = consolePage.locator('section[aria-labelledby="sessions-heading"] tbody tr td').first();
    expect(await cell.innerText()).toBe('Safari 17 on iOS 17.5');
    await cell.locator('summary').click();
    expect(await cell.locator('code').innerText()).toBe(IPHONE);

    const { sessions: listed } = await app.services.accountAdmin.view(person.id);
    expect(listed).toEqual([expect.objectContaining({ browser: 'Safari 17', os: 'iOS 17.5', user_agent: IPHONE, ip: '127.0.0.1', active_now: true })]);
    await phone.context().close();
    await consolePage.context().close();
  });
});

describe('device names', () => {
  it('names the browser with its major version and the system, and nothing for what it cannot read', () => {
    expect(deviceNames('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15'))
      .toEqual({ browser: 'Safari 17', os: 'macOS' }); // every macOS says 10.15.7
    expect(deviceNames('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0'))
      .toEqual({ browser: 'Microsoft Edge 126', os: 'Windows 10' });
    expect(deviceNames('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36'))
      .toEqual({ browser: 'Chrome 126', os: 'Android 14' });
    for (const unreadable of [null, undefined, '', '   ', 'curl/8.5.0', 'x'.repeat(5000)]) expect(deviceNames(unreadable)).toEqual({ browser: null, os: null });
    // Only the first 400 characters are read, as the adapter stores them.
    expect(deviceNames(`${' '.repeat(400)}${FIREFOX_WINDOWS}`)).toEqual({ browser: null, os: null });
  });
});
