// The conveniences the pages' own script adds in Chromium: "Show password" toggles the field
// (and says so to assistive technology), "Send a new code" counts its wait down disabled;
// without the script the show button never shows and the send button stays usable.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { authorizationRequest, createUser, registerClient, type TestClient } from '../helpers/oidc-flow.ts';
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

  it('counts down the wait for a new code with the button disabled, then lets it be used', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const user = await createUser(app); // each its own address: a second send to one would wait
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(authorizationRequest(app, client).url);
      await page.getByLabel('Email address').fill(user.email);
      await page.getByRole('button', { name: 'Email me a code instead' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      const resend = page.locator('button[data-wait]');
      await expect(page.locator('#resend-wait').innerText()).resolves.toMatch(/^You can ask for a new code in (60|59|58) seconds\.$/);
      if (javaScriptEnabled) {
        await expect(resend.isDisabled()).resolves.toBe(true);
        await expect(resend.innerText()).resolves.toMatch(/^Send a new code in (1:00|0:5\d)$/);
      } else {
        await expect(resend.isDisabled()).resolves.toBe(false); // usable; pressed early, the server says how long is left
      }
      await context.close();
    }
  });

  it('gives password advice in the language of the page', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(authorizationRequest(app, client).url);
    await page.getByRole('link', { name: 'Konto erstellen' }).click();
    await page.getByLabel('Passwort').fill('password1');
    await expect.poll(() => page.locator('#password-strength').textContent(), { timeout: 10_000 }).toMatch(/^Sehr schwach\./);
    const advice = await page.locator('#password-strength').textContent();
    expect(advice).toMatch(/Passwort|Wörter|Muster/); // zxcvbn-ts's German advice
    expect(advice).not.toMatch(/\bpassword\b|\bwords\b/i);
    await context.close();
  });
});
