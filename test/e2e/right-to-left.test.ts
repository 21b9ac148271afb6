// The stylesheet is written with logical properties, so a right-to-left language needs only a
// catalogue: Chromium renders the sign-in and second-factor-like pages with dir="rtl" at 390 px
// and on a desktop, and nothing is cut off or pushed out of the card, and the form starts at the
// right. Screenshots land in test/output/ for a look.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { authorizationRequest, registerClient, type TestClient } from '../helpers/oidc-flow.ts';
import { projectRoot } from '../helpers/processes.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let browser: Browser;
beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  client = await registerClient(app, { name: 'A rather long application name, to see it wrap' });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('right to left', () => {
  for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
    it(`lays the sign-in page out from the right at ${viewport.width} px, nothing cut off`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(authorizationRequest(app, client).url);
      await page.waitForSelector('form');
      await page.evaluate(() => { document.documentElement.dir = 'rtl'; });
      const layout = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const card = document.querySelector('main')!.getBoundingClientRect();
        const visible = [...document.querySelectorAll('main *, footer *')].filter((element) => {
          const style = getComputedStyle(element);
          return style.display !== 'none' && style.visibility !== 'hidden' && element.getBoundingClientRect().width > 0 && !element.closest('svg');
        });
        const outside = visible.filter((element) => {
          const box = element.getBoundingClientRect();
          return box.left < -1 || box.right > width + 1 || (element.closest('main') && (box.left < card.left - 1 || box.right > card.right + 1));
        }).map((element) => element.outerHTML.slice(0, 80));
        const clipped = visible.filter((element) => element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== 'visible')
          .map((element) => element.outerHTML.slice(0, 80));
        const words = document.createRange();
        words.selectNodeContents(document.querySelector('label[for="email"]')!);
        const label = words.getBoundingClientRect(); // the label's text, not its box
        const input = document.querySelector('#email')!.getBoundingClientRect();
        return { scrollWidth: document.documentElement.scrollWidth, width, outside, clipped, labelRight: label.right, inputRight: input.right, labelLeft: label.left, inputLeft: input.left };
      });
      fs.mkdirSync(path.join(projectRoot, 'test/output'), { recursive: true });
      await page.screenshot({ path: path.join(projectRoot, `test/output/rtl-sign-in-${viewport.width}.png`), fullPage: true });
      await context.close();

      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width); // no sideways scrolling
      expect(layout.outside).toEqual([]);
      expect(layout.clipped).toEqual([]);
      expect(Math.abs(layout.labelRight - layout.inputRight)).toBeLessThan(2); // a label's words start where its field starts: at the right
      expect(layout.labelLeft).toBeGreaterThan(layout.inputLeft + 1);
    });
  }
});
