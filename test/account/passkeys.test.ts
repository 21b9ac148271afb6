import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { startAppWithMail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';
import { addVirtualAuthenticator } from '../helpers/virtual-authenticator.ts';

// Passkeys on the account security page in Chromium, with a virtual authenticator standing in
// for the laptop's own: register one by name, see it listed and stored, remove it.
describe('passkeys on the account security page', () => {
  let app: TestApp;
  let sink: MailSink;
  let close: () => Promise<void>;
  let browser: Browser;
  let context: BrowserContext;
  const problems: string[] = [];

  beforeAll(async () => {
    [{ app, sink, close }, browser] = await Promise.all([startAppWithMail(), launchBrowser()]);
    context = await browser.newContext();
  });
  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  async function watch(page: Page) {
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    page.on('pageerror', (error) => problems.push(error.message));
    return page;
  }

  it('adds a passkey named by the person, lists it, and removes it with a mail each time', async () => {
    const user = await createUser(app);
    const page = await watch(await context.newPage());
    const authenticator = await addVirtualAuthenticator(page, { synced: true });

    // app.url is http://localhost:PORT: a secure context, and the RP ID is localhost.
    await page.goto(`${app.url}/account/security`);
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Account security' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account/security');

    await page.getByLabel('Name').fill('Laptop');
    await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await expect(page.locator('.recovery-codes li').count()).resolves.toBe(10);
    expect((await sink.next(user.email)).text).toContain('A security key or passkey was added as a second factor.');

    await page.getByRole('link', { name: 'Done' }).click();
    const listed = page.locator('.factor-list li', { hasText: 'Laptop' });
    await expect(listed.innerText()).resolves.toMatch(/(Synced passkey|Device-bound) · added .+ · never used/);
    await expect(listed.innerText()).resolves.toContain('Synced passkey');
    await expect(page.locator('body').innerText()).resolves.toContain('10 of 10 left');

    const [held] = await authenticator.credentials();
    expect(held).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    const rows = await app.services.db.knex('webauthn_credentials').where({ account_id: user.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'Laptop', credential_id: Buffer.from(held!.credentialId, 'base64').toString('base64url'), backed_up: true });
    expect(Number(rows[0].sign_count)).toBeGreaterThanOrEqual(0);

    // Signed in a moment ago: the removal needs no new sign-in.
    await page.getByRole('button', { name: 'Remove Laptop' }).click();
    await page.getByText('The security key or passkey was removed.').waitFor();
    await expect(page.locator('.factor-list').count()).resolves.toBe(0);
    expect(await app.services.db.knex('webauthn_credentials').where({ account_id: user.id })).toHaveLength(0);
    expect((await sink.next(user.email)).text).toContain('A security key or passkey was removed.');
    expect(problems).toEqual([]);
  });
});
