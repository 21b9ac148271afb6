// The conveniences the pages' own script adds in Chromium: "Show password" toggles the field
// (and says so to assistive technology); without the script its button never shows.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { authorizationRequest, registerClient, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let browser: Browser;
beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  client = await registerClient(app);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('page helpers in Chromium', () => {
  it('shows and hides the password on request', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(authorizationRequest(app, client).url);
    await page.getByLabel('Password').fill('tangerine wolf');
    const toggle = page.getByRole('button', { name: 'Show password' });
    await toggle.click();
    await expect(page.locator('#password').getAttribute('type')).resolves.toBe('text');
    await expect(page.getByRole('button', { name: 'Hide password' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await page.getByRole('button', { name: 'Hide password' }).click();
    await expect(page.locator('#password').getAttribute('type')).resolves.toBe('password');
    await context.close();
  });

  it('keeps the button out of sight without the script', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(authorizationRequest(app, client).url);
    await expect(page.locator('button[data-shows]').isVisible()).resolves.toBe(false);
    await context.close();
  });
});
