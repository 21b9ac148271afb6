// The account area as a new user tries it, in Chromium, next to the sample app (which takes
// back-channel logouts and checks them): sign in on two browsers, see both under Devices, sign
// one out from the other, remove the sample app under Apps and watch it sign out, download your
// data, delete the account.
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSampleApp } from '../../examples/sample-app.ts';
import { makePerson, startAccountArea, type AccountFixture } from '../helpers/account-area.ts';
import { seriousViolations, signInOnPage } from '../helpers/console.ts';
import { freePort } from '../helpers/processes.ts';

let fixture: AccountFixture;
let sample: Awaited<ReturnType<typeof startSampleApp>>;

beforeAll(async () => {
  fixture = await startAccountArea();
  const port = await freePort();
  const created = await fixture.app.cli('clients', 'create', '--name', 'Sample app', '--redirect-uri', `http://localhost:${port}/callback`,
    '--backchannel-logout-uri', `http://localhost:${port}/backchannel-logout`, '--backchannel-logout-session-required', '--json');
  const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
  sample = await startSampleApp({ issuer: fixture.app.url, clientId: client.client_id, clientSecret: client.client_secret, port });
});
afterAll(async () => {
  await sample?.close();
  await fixture?.close();
});

/** Reloads the sample app until it shows the person signed out (the logout worker polls about every second). */
const signedOutOfSample = (page: Page) => expect.poll(async () => {
  await page.goto(sample.url);
  return page.getByRole('link', { name: 'Sign in with Latchkey' }).count();
}, { timeout: 15_000, interval: 500 }).toBe(1);

describe('my account, tried as a new user', () => {
  it('two browsers under Devices, one signed out from the other, the sample app removed under Apps, the data downloaded, the account deleted', async () => {
    const { app, sink, browser } = fixture;
    const person = await makePerson(app);

    // Laptop: signs in to the sample app (and so to Latchkey).
    const laptop = await (await browser.newContext()).newPage();
    await laptop.goto(sample.url);
    await laptop.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await signInOnPage(laptop, person);
    await laptop.getByRole('button', { name: 'Allow' }).click();
    await laptop.locator('#claims').waitFor();

    // Phone: opens the account area and sees both browsers.
    const phone = await (await browser.newContext({
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      viewport: { width: 390, height: 844 }, colorScheme: 'dark',
    })).newPage();
    await phone.goto(`${app.url}/account`);
    await signInOnPage(phone, person);
    await phone.getByRole('heading', { name: 'Hello, Ada Admin' }).waitFor();
    const nav = (name: string) => phone.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name, exact: true }).click();
    // Every page of the area, on a phone in dark mode: nothing axe calls serious.
    for (const name of ['Overview', 'Profile', 'Email', 'Password', 'Security', 'Devices', 'Apps', 'Activity', 'Your data']) {
      await nav(name);
      await phone.waitForLoadState();
      expect(await seriousViolations(phone), name).toEqual([]);
    }
    await nav('Devices');
    const rows = phone.locator('li.item');
    await expect.poll(() => rows.count()).toBe(2);
    const thisOne = rows.filter({ hasText: 'This device' });
    expect(await thisOne.innerText()).toContain('Safari 17 on iOS 17.5');
    const laptopRow = rows.filter({ hasNotText: 'This device' });
    expect(await laptopRow.innerText()).toContain('Sample app');
    expect(await seriousViolations(phone)).toEqual([]);

    await laptopRow.getByRole('button', { name: 'Sign out' }).click();
    await phone.getByText('That device is signed out.').waitFor();
    expect(await rows.count()).toBe(1);
    await signedOutOfSample(laptop); // told by back-channel logout, checked by the app

    // The laptop signs in again; then the phone removes the sample app's access.
    await laptop.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await signInOnPage(laptop, person);
    await laptop.locator('#claims').waitFor(); // consent is remembered
    await nav('Apps');
    await phone.getByRole('button', { name: 'Remove access of Sample app' }).click();
    await phone.getByText('Access removed').waitFor();
    expect(await phone.locator('main').innerText()).toContain('You have not allowed any application yet.');
    await signedOutOfSample(laptop);

    // Your data: one JSON file with what Latchkey holds.
    await nav('Your data');
    const [download] = await Promise.all([phone.waitForEvent('download'), phone.getByRole('button', { name: 'Download your data' }).click()]);
    const data = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(data)).toContain(person.email);
    expect(JSON.stringify(data)).not.toContain('$argon2');

    // Delete the account: typed address, then gone, signed out, mailed.
    await phone.getByLabel(/To confirm, type your email address/).fill(person.email.toUpperCase());
    await phone.getByRole('button', { name: 'Delete my account' }).click();
    await phone.getByRole('heading', { name: 'Account deleted' }).waitFor();
    expect(await seriousViolations(phone)).toEqual([]);
    expect(await app.services.db.knex('accounts').where({ id: person.id }).first()).toBeUndefined();
    expect((await sink.next(person.email)).subject).toMatch(/account was deleted/);
    await phone.goto(`${app.url}/account`);
    expect(new URL(phone.url()).pathname).not.toMatch(/^\/account/); // sent to sign in
  });
});
