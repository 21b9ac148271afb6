import * as oc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startCallbackServer, type CallbackServer } from '../helpers/browser.ts';
import { codeIn, linkIn, uniqueEmail } from '../helpers/hosted-pages.ts';
import { startMailSink, type MailSink } from '../helpers/mail-sink.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

// A new person in Chromium: signs up from a relying party's sign-in, gets strength advice,
// verifies with the mailed code, lands back at the relying party (openid-client); later
// forgets the password and resets it with the mailed link.
describe('a new person signing up in Chromium', () => {
  let app: TestApp;
  let sink: MailSink;
  let rp: CallbackServer;
  let browser: Browser;
  let context: BrowserContext;
  let config: oc.Configuration;
  const email = uniqueEmail('ada');
  const problems: string[] = [];

  beforeAll(async () => {
    sink = await startMailSink();
    [app, rp, browser] = await Promise.all([startApp({ env: { SMTP_URL: sink.url } }), startCallbackServer(), launchBrowser()]);
    const created = await app.cli('clients', 'create', '--name', 'Sample App', '--redirect-uri', `${rp.origin}/cb`, '--json');
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    config = await oc.discovery(new URL(app.url), client.client_id, client.client_secret, undefined, { execute: [oc.allowInsecureRequests] });
    context = await browser.newContext();
  });
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await app?.close();
    await sink?.close();
  });

  async function watch(page: Page) {
    page.on('console', (message) => {
      // A refused form answers 400 on purpose; anything else (a blocked script, say) is a problem.
      if (message.type() === 'error' && !message.text().includes('status of 400')) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    return page;
  }

  async function startSignIn(page: Page) {
    const verifier = oc.randomPKCECodeVerifier();
    const state = oc.randomState();
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.origin}/cb`, scope: 'openid email profile', state,
      code_challenge: await oc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    return { verifier, state };
  }

  it('creates an account, verifies the address with the code and returns to the relying party', async () => {
    const page = await watch(await context.newPage());
    const { verifier, state } = await startSignIn(page);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('password1');
    await expect.poll(() => page.locator('#password-strength').textContent(), { timeout: 10_000 }).toMatch(/^Very weak\./);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('#password-error').innerText()).resolves.toContain('most common passwords'); // under the field, which has the focus
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('password');
    await expect(page.getByLabel('Your name').inputValue()).resolves.toBe('Ada Lovelace');
    await page.getByLabel('Password').fill('adalovelace1815');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('#password-error').innerText()).resolves.toContain('name or email address');

    await page.getByLabel('Password').fill('tangerine lighthouse quietly hums');
    await expect.poll(() => page.locator('#password-strength').textContent(), { timeout: 10_000 }).toMatch(/^(Strong|Very strong)\./);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    await page.getByLabel('Code').fill(codeIn(await sink.next(email)));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    const callback = rp.next('/cb');
    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await oc.authorizationCodeGrant(config, await callback, { pkceCodeVerifier: verifier, expectedState: state });
    const userinfo = await oc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo).toMatchObject({ email, email_verified: true, name: 'Ada Lovelace' });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('resets a forgotten password with the mailed link, then signs in with the new one', async () => {
    const page = await watch(await (await browser.newContext()).newPage());
    await startSignIn(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    await page.goto(linkIn(await sink.next(email), '/password/reset'));
    await page.getByLabel('New password').fill('marmalade orbit seventeen kites');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    expect((await sink.next(email)).subject).toMatch(/password was changed/);

    const { verifier, state } = await startSignIn(page);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('marmalade orbit seventeen kites');
    const callback = rp.next('/cb');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The reset ended the sessions and tokens, not what the person allowed the app: no consent again.
    const tokens = await oc.authorizationCodeGrant(config, await callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()!.sub).toBeTruthy();
    expect(problems).toEqual([]);
  });
});
