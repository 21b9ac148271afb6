// The account area in Chromium: a person (made through the same libraries the CLI uses), signed
// in to /account through Latchkey's own sign-in in a browser of their own, and the 5-minute rule.
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { ageConsoleSignIn, makeAdmin, signInOnPage, type ConsoleAdmin } from './console.ts';
import { startAppWithMail } from './hosted-pages.ts';
import type { MailSink } from './mail-sink.ts';
import type { TestClient } from './oidc-flow.ts';
import type { TestApp } from './start-app.ts';

export type Person = ConsoleAdmin;

/** A verified account with a password (and, with `withSecondFactor`, an authenticator app) and no admin role. */
export const makePerson = (app: TestApp, { withSecondFactor = false } = {}): Promise<Person> => makeAdmin(app, { withSecondFactor, admin: false });

/** A new browser (own cookies) signed in to the account area as `person`, on `path`; page errors are collected in `problems`. */
export async function openAccount(browser: Browser, app: TestApp, person: Person, path = '/account', problems: string[] = []): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${app.url}${path}`);
  await signInOnPage(page, person);
  await page.waitForURL((url) => url.pathname === path);
  return page;
}

/** Makes this browser's sign-in `seconds` old, as if the person had signed in that long ago. */
export const ageAccountSignIn = ageConsoleSignIn;

export interface AccountFixture {
  app: TestApp;
  sink: MailSink;
  /** A registered relying party (confidential, consent asked). */
  client: TestClient;
  browser: Browser;
  close(): Promise<void>;
}

/** A test file's account area: an app with a mail sink, and Chromium. */
export async function startAccountArea(env: Record<string, string> = {}): Promise<AccountFixture> {
  const [{ app, sink, client, close }, browser] = await Promise.all([startAppWithMail(env), launchBrowser()]);
  return { app, sink, client, browser, close: async () => { await browser.close(); await close(); } };
}
