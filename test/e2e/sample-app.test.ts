import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSampleApp } from '../../examples/sample-app.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import { freePort } from '../helpers/processes.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import type { Browser } from 'playwright-core';

// The sample app README points new users at: sign in, see the claims, sign out.
describe('the sample app from the README', () => {
  let app: TestApp;
  let browser: Browser;
  let sample: Awaited<ReturnType<typeof startSampleApp>>;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    const port = await freePort();
    const created = await app.cli('clients', 'create', '--name', 'Sample app', '--redirect-uri', `http://localhost:${port}/callback`,
      '--post-logout-redirect-uri', `http://localhost:${port}/`, '--json');
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    sample = await startSampleApp({ issuer: app.url, clientId: client.client_id, clientSecret: client.client_secret, port });
  });
  afterAll(async () => {
    await sample?.close();
    await browser?.close();
    await app?.close();
  });

  it('signs a person in, shows who they are, and signs them out', async () => {
    const user = await createUser(app, { name: 'Grace Hopper' });
    const page = await (await browser.newContext()).newPage();
    await page.goto(sample.url);
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
    expect(await page.locator('#userinfo').innerText()).toContain(user.email);

    // prompt=login and max_age=0 each ask for the password once, and nothing else.
    for (const link of ['Sign in again (prompt=login)', 'Sign in again (max_age=0)']) {
      await page.getByRole('link', { name: link }).click();
      await page.getByLabel('Password').fill(user.password);
      await page.getByLabel('Email address').fill(user.email);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
    }

    await page.getByRole('link', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).waitFor();
    expect(new URL(page.url()).origin).toBe(sample.url);

    // Signing in again after signing out: the consent given before is remembered.
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
  });
});
