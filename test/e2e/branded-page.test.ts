// A branded deployment's sign-in page in Chromium, in German: the logo above the card, the
// accent on the button with readable text on it, the theme applied; a screenshot of it lands in
// test/output/ (README shows one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastRatio } from '../../src/libraries/brand-colours.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { authorizationRequest, registerClient, type TestClient } from '../helpers/oidc-flow.ts';
import { projectRoot } from '../helpers/processes.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const files = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-brand-'));
const logo = path.join(files, 'acme.svg');
fs.writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" width="150" height="36" viewBox="0 0 150 36"><circle cx="18" cy="18" r="16" fill="#0b5e3a"/><text x="42" y="25" font-family="sans-serif" font-size="20" font-weight="700" fill="#0b5e3a">Acme</text></svg>');
const theme = path.join(files, 'acme.css');
fs.writeFileSync(theme, '.card { border-radius: 4px; }');

let app: TestApp;
let browser: Browser;
let client: TestClient;
beforeAll(async () => {
  [app, browser] = await Promise.all([
    startApp({ env: { BRAND_NAME: 'Acme ID', BRAND_LOGO_URL: logo, BRAND_COLOR: '#0b5e3a', THEME_CSS: theme } }),
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
    expect(rgb(seen.background)).toBe('#0b5e3a');
    expect(contrastRatio(rgb(seen.background), rgb(seen.ink))).toBeGreaterThanOrEqual(4.5);
  });
});
