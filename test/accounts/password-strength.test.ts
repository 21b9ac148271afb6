import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

// The strength meter pages opt in to: its script and zxcvbn-ts's browser builds, served by
// Latchkey itself, and what a person sees in Chromium under the real Content-Security-Policy.
describe('password strength advice', () => {
  let app: TestApp;
  let browser: Browser;
  beforeAll(async () => { [app, browser] = await Promise.all([startApp(), launchBrowser()]); });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('serves its script and exactly the zxcvbn-ts browser builds it uses (core, common, and the languages of the pages), as JavaScript', async () => {
    const script = await fetch(`${app.url}/static/password-strength.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('data-password-strength');
    for (const name of ['core', 'language-common', 'language-en', 'language-de', 'language-fr']) {
      const bundle = await fetch(`${app.url}/static/vendor/zxcvbn-ts/${name}.js`);
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await bundle.text()).toMatch(/^this\.zxcvbnts = this\.zxcvbnts \|\| \{\};/);
    }
    for (const other of ['index.mjs', 'zxcvbn-ts.js', '..%2Fpackage.json', 'language-es.js']) {
      expect((await fetch(`${app.url}/static/vendor/zxcvbn-ts/${other}`)).status).toBe(404);
    }
  });

  it('shows a weak password as weak, says why, and counts the email typed in the same form', async () => {
    const page = await browser.newPage();
    try {
      // any page of Latchkey will do (a 404 here): it carries the real CSP; the markup is what a page opting in has
      const response = await page.goto(`${app.url}/no-such-page`);
      expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
      const problems: string[] = []; // such as a blocked script, from here on
      page.on('console', (message) => {
        // Chromium asks for /favicon.ico on its own for this bare 404 page
        if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.evaluate(() => new Promise((loaded) => {
        document.body.innerHTML = `<form>
          <input id="email" type="email" autocomplete="email">
          <input id="password" type="password" autocomplete="new-password" aria-describedby="password-strength" data-password-strength>
          <p id="password-strength" class="password-strength" aria-live="polite" hidden></p>
        </form>`;
        const script = document.createElement('script');
        script.type = 'module';
        script.src = '/static/password-strength.js';
        script.onload = loaded;
        document.body.append(script);
      }));
      const advice = page.locator('#password-strength');
      const adviceText = () => expect.poll(() => advice.textContent(), { timeout: 10_000 }); // the first waits for 1.7 MB of scripts
      await page.locator('#password').fill('password1');
      await adviceText().toMatch(/^Very weak\..*common/i);
      expect(await page.locator('.password-strength-meter').getAttribute('data-score')).toBe('0');

      await page.locator('#password').fill('zorblaxquintrell'); // strong, until it turns out to be the person's address
      await adviceText().toMatch(/^(Strong|Very strong)\./);
      await page.locator('#email').fill('zorblax.quintrell@example.test');
      await adviceText().toMatch(/^(Very weak|Weak)\..*personal/);

      await page.locator('#password').fill('tangerine lighthouse quietly hums');
      await adviceText().toMatch(/^(Strong|Very strong)\./);
      await page.locator('#password').fill('');
      await expect.poll(() => advice.isHidden(), { timeout: 10_000 }).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
