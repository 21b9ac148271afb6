// The console as a new user meets it (issue 12's "tried as a new user"): the first admin made
// with the CLI, signing in to /admin and setting up a second factor on the way, registering the
// sample app from the console instead of the CLI, and signing in to the sample app with it. The
// pictures of the console in README are taken here (test/output/).
import fs from 'node:fs';
import path from 'node:path';
import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSampleApp } from '../../examples/sample-app.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { seriousViolations } from '../helpers/console.ts';
import { freePort, projectRoot } from '../helpers/processes.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let browser: Browser;
let sample: Awaited<ReturnType<typeof startSampleApp>> | undefined;

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
});
afterAll(async () => {
  await sample?.close();
  await browser?.close();
  await app?.close();
});

describe('the first admin', () => {
  it('is made with the CLI, signs in to the console with a new second factor, and registers the sample app there', async () => {
    const made = await app.cli('users', 'create', '--email', 'first.admin@example.test', '--name', 'First Admin', '--verified', '--admin', '--password', 'correct horse battery staple');
    expect(made.code).toBe(0);
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${app.url}/admin`);
    await page.getByLabel('Email address').fill('first.admin@example.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // No second factor yet: the console has them set one up before it opens.
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const secret = (await page.locator('code.secret').innerText()).replace(/ /g, '');
    await page.getByLabel('Code from the app').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await page.getByRole('button', { name: 'I have saved them, continue' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    const port = await freePort();
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('link', { name: 'Add an application' }).click();
    await page.getByLabel('Web app').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Name').fill('Sample app');
    await page.getByLabel('Redirect URIs').fill(`http://localhost:${port}/callback`);
    await page.getByLabel('Sign-out return URIs').fill(`http://localhost:${port}/`);
    await page.getByRole('button', { name: 'Add the application' }).click();
    await page.getByText('The application was added.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const clientId = await page.locator('#client-id').innerText();
    const clientSecret = await page.locator('#client-secret').innerText();
    expect(await page.locator('#discovery-url').innerText()).toBe(`${app.url}/.well-known/openid-configuration`);

    sample = await startSampleApp({ issuer: app.url, clientId, clientSecret, port });
    await page.goto(sample.url);
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await page.getByRole('button', { name: 'Allow' }).click(); // already signed in: only the consent is asked
    await page.getByRole('heading', { name: 'Hello, First Admin' }).waitFor();
    expect(await page.locator('#userinfo').innerText()).toContain('first.admin@example.test');

    // README's pictures of the console: the overview, and the application's page (its secret no longer shown).
    fs.mkdirSync(path.join(projectRoot, 'test/output'), { recursive: true });
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(`${app.url}/admin`);
    await page.screenshot({ path: path.join(projectRoot, 'test/output/console-overview.png'), fullPage: true });
    await page.goto(`${app.url}/admin/applications/${clientId}`);
    expect(await page.locator('#client-secret').count()).toBe(0);
    await page.setViewportSize({ width: 1200, height: 1150 });
    await page.screenshot({ path: path.join(projectRoot, 'test/output/console-application.png') });
    expect(problems).toEqual([]);
  });
});
