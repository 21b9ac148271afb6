// A branded deployment's sign-in page in Chromium, in German: the logo above the card, the
// accent on the button with readable text on it, the theme applied; a screenshot of it lands in
// test/output/ (README shows one).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastRatio } from '../../src/libraries/brand-colours.ts';
import { acmeBrand, ACME_GREEN } from '../helpers/brand-files.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { authorizationRequest, registerClient, type TestClient } from '../helpers/oidc-flow.ts';
import { projectRoot } from '../helpers/processes.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let browser: Browser;
let client: TestClient;
beforeAll(async () => {
  [app, browser] = await Promise.all([
    startApp({ env: acmeBrand() }),
    launchBrowser(),
  ]);
  client = await registerClient(app, { name: 'Acme Notizen' });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const rgb = (css: string) => `#${css.match(/\d+/g)!.slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`;

describe('a branded page in Chromium', () => {
  it('shows the logo, the accent with readable text and the theme, in German', async () => {
    const context = await browser.newContext({ viewport: { width: 800, height: 900 }, locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(authorizationRequest(app, client).url);
    await page.waitForSelector('form');
    const seen = await page.evaluate(() => {
      const button = getComputedStyle(document.querySelector('button.primary')!);
      const logo = document.querySelector<HTMLImageElement>('img.brand-logo')!;
      return {
        lang: document.documentElement.lang, title: document.title, background: button.backgroundColor, ink: button.color,
        logoLoaded: logo.complete && logo.naturalWidth > 0, radius: getComputedStyle(document.querySelector('main')!).borderRadius,
      };
    });
    fs.mkdirSync(path.join(projectRoot, 'test/output'), { recursive: true });
    await page.screenshot({ path: path.join(projectRoot, 'test/output/branded-sign-in-de.png') });
    await context.close();

    expect(seen).toMatchObject({ lang: 'de', title: 'Anmelden · Acme ID', logoLoaded: true, radius: '4px' });
    expect(rgb(seen.background)).toBe(ACME_GREEN);
    expect(contrastRatio(rgb(seen.background), rgb(seen.ink))).toBeGreaterThanOrEqual(4.5);
  });
});
