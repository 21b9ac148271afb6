// The admin console in Chromium: an admin with an authenticator app (made through the same
// libraries the CLI uses), signed in to /admin through Latchkey's own sign-in, and axe-core's
// audit of a console page.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { PASSWORD } from './oidc-flow.ts';
import { launchBrowser } from './browser.ts';
import { startAppWithMail, uniqueEmail } from './hosted-pages.ts';
import type { MailSink } from './mail-sink.ts';
import type { TestClient } from './oidc-flow.ts';
import type { TestApp } from './start-app.ts';

export interface ConsoleAdmin {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
  /** Unused recovery codes, for sign-ins quicker than the app's codes change. */
  recoveryCodes: string[];
}

/** An account with the admin role and, unless `withSecondFactor` is false, a confirmed authenticator app. */
export async function makeAdmin(app: TestApp, { withSecondFactor = true, admin = true } = {}): Promise<ConsoleAdmin> {
  const email = uniqueEmail(admin ? 'admin' : 'person');
  const account = await app.services.accountAdmin.create({ email, password: PASSWORD, name: 'Ada Admin', emailVerified: true, admin, invite: false });
  let totpSecret = '';
  let recoveryCodes: string[] = [];
  if (withSecondFactor) {
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
    recoveryCodes = await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await freshCode(enrolment.secret)) ?? [];
    totpSecret = enrolment.secret;
  }
  return { id: account.id, email, password: PASSWORD, totpSecret, recoveryCodes };
}

/**
 * A code of a step no earlier use in this test used (a TOTP code is good once; the next step's
 * is accepted early), or undefined when both steps are used up.
 */
const usedSteps = new Map<string, number>();
export async function freshCode(secret: string): Promise<string | undefined> {
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, (usedSteps.get(secret) ?? -1) + 1);
  if (step > now + 1) return undefined;
  usedSteps.set(secret, step);
  return generate({ secret, epoch: step * 30 });
}

/** Signs in on Latchkey's pages, where the browser was sent: password, then the app code if asked. */
export async function signInOnPage(page: Page, user: { email: string; password: string; totpSecret?: string; recoveryCodes?: string[] }) {
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();
  if (user.totpSecret && new URL(page.url()).pathname.startsWith('/interaction/') && await page.getByLabel('Code from your authenticator app').count()) {
    const code = await freshCode(user.totpSecret);
    if (code) {
      await page.getByLabel('Code from your authenticator app').fill(code);
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
    } else {
      await page.getByText('Lost your authenticator? Use a recovery code').click();
      await page.getByLabel('Recovery code').fill(user.recoveryCodes!.shift()!);
      await page.getByRole('button', { name: 'Use recovery code' }).click();
    }
    await page.waitForLoadState();
  }
}

/** A new browser (own cookies) signed in to the console as `admin`, on its overview; page errors are collected in `problems`. */
export async function openConsole(browser: Browser, app: TestApp, admin: ConsoleAdmin, problems: string[] = []): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${app.url}/admin`);
  await signInOnPage(page, admin);
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  return page;
}

/** Makes this browser's sign-in `seconds` old, as if the admin had signed in that long ago. */
export async function ageConsoleSignIn(app: TestApp, page: Page, seconds: number) {
  const cookies = await page.context().cookies();
  const cookie = cookies.find((each) => each.name === 'lk_session' || each.name === '__Host-lk_session');
  expect(cookie, 'a provider session cookie').toBeTruthy();
  const { createHash } = await import('node:crypto');
  const id = createHash('sha256').update(cookie!.value).digest('base64url');
  const knex = app.services.db.knex;
  const updated = await knex('oidc_payloads').where({ model: 'Session', id })
    .update({ payload: knex.raw(`jsonb_set(payload, '{loginTs}', to_jsonb(?::bigint))`, [Math.floor(Date.now() / 1000) - seconds]) });
  expect(updated).toBe(1);
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.x A and AA rules on the page as it is: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource); // through the debugger: the page's CSP rightly forbids inline script
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
  });
  return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

export interface ConsoleFixture {
  app: TestApp;
  sink: MailSink;
  client: TestClient;
  browser: Browser;
  admin: ConsoleAdmin;
  /** Signed in to the console as `admin`, on the overview. */
  page: Page;
  /** Errors the console's pages threw in the browser (a test ends expecting none). */
  problems: string[];
  close(): Promise<void>;
}

/** A test file's console: an app with a mail sink, Chromium, and an admin signed in to /admin. */
export async function startConsole(): Promise<ConsoleFixture> {
  const [{ app, sink, client, close }, browser] = await Promise.all([startAppWithMail(), launchBrowser()]);
  const admin = await makeAdmin(app);
  const problems: string[] = [];
  const page = await openConsole(browser, app, admin, problems);
  return { app, sink, client, browser, admin, page, problems, close: async () => { await browser.close(); await close(); } };
}
