// Every hosted page, and each of its error states, audited in Chromium with axe-core's WCAG 2.x
// A and AA rules, on a desktop and at 390 px, light and dark: no serious or critical violation.
// And what axe does not check: field borders and focus rings reach 3:1 against the card (WCAG
// 1.4.11). The pages are fetched over HTTP as a person's browser would reach them, then shown
// in Chromium on Latchkey's own origin (so its stylesheet and scripts load).
import { createRequire } from 'node:module';
import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastRatio } from '../../src/libraries/brand-colours.ts';
import { ageSignIn, enrolTotp, openSignedIn } from '../helpers/account-pages.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { linkIn, openRegistration, openSignIn, register, startAppWithMail, submitForm, uniqueEmail } from '../helpers/hosted-pages.ts';
import { HttpSession, type PageResponse } from '../helpers/http-session.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

const axeSource = await import('node:fs').then((fs) => fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;
let browser: Browser;
const pages: Array<{ name: string; page: PageResponse }> = [];
const keep = (name: string, page: PageResponse) => { pages.push({ name, page }); return page; };

beforeAll(async () => {
  [{ app, sink, client, close }, browser] = await Promise.all([startAppWithMail(), launchBrowser()]);

  // Sign-in and its mistakes, the mailed code, consent.
  const user = await createUser(app, { name: 'Ada' });
  let session = new HttpSession();
  const signIn = keep('sign-in', (await openSignIn(app, client, session)).page);
  const wrong = keep('sign-in, wrong password', await submitLogin(session, app, signIn, user.email, 'not it'));
  keep('consent', await submitLogin(session, app, wrong, user.email, user.password));
  session = new HttpSession();
  const codePage = keep('check email', await submitForm(session, app, (await openSignIn(app, client, session)).page, '/email-code', { email: user.email }));
  keep('check email, wrong code', await submitForm(session, app, codePage, '/code', { code: '000000' }));
  await sink.next(user.email);

  // Registration and its mistakes; the address confirmed by its mailed link.
  session = new HttpSession();
  const registration = keep('register', (await openRegistration(app, client, session)).page);
  const newAddress = uniqueEmail('axe');
  keep('register, common password', await register(session, app, registration, { email: newAddress, password: 'password123' }));
  keep('confirm the address', await register(session, app, registration, { email: newAddress }).then(() => sink.next(newAddress))
    .then((mail) => new HttpSession().request(linkIn(mail, '/verify-email'))));

  // Second factors: set one up, then be asked for it; the set-up a relying party demands.
  const secured = await createUser(app);
  session = new HttpSession();
  const security = keep('account security', await openSignedIn(app, session, secured));
  const { enrolment, secret, done } = await enrolTotp(app, session, security);
  keep('account: add an authenticator app', enrolment);
  keep('account: recovery codes', done);
  const withFactors = keep('account security, with factors', await session.follow(`${app.url}/account/security?done=codes-saved`, app.url));
  await ageSignIn(app, session, 10 * 60);
  const stale = await submitForm(session, app, withFactors, '/account/security/totp/remove');
  keep('sign in again', await session.follow(stale.location ?? `${app.url}/account/sign-in-again`, app.url));
  session = new HttpSession();
  const challenge = await submitLogin(session, app, (await openSignIn(app, client, session)).page, secured.email, secured.password);
  keep('second factor', challenge);
  keep('second factor, wrong code', await submitForm(session, app, challenge, '/mfa/totp', { code: (await generate({ secret })) === '000000' ? '111111' : '000000' }));
  const newcomer = await createUser(app);
  session = new HttpSession();
  const enrol = keep('set up a second factor', await submitLogin(session, app, (await openSignIn(app, client, session, { acr_values: 'urn:latchkey:acr:mfa' })).page, newcomer.email, newcomer.password));
  const newSecret = enrol.body.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '');
  keep('recovery codes', await submitForm(session, app, enrol, '/mfa/enrol/totp', { code: await generate({ secret: newSecret }) }));
  await sink.next(secured.email); // the security notice

  // Password reset, end to end, and its dead links.
  session = new HttpSession();
  const forgot = keep('forgot password', await session.follow(`${app.url}/password/forgot`, app.url));
  keep('reset link sent', await submitForm(session, app, forgot, '/password/forgot', { email: user.email }));
  const reset = keep('choose a new password', await session.follow(linkIn(await sink.next(user.email), '/password/reset'), app.url));
  keep('choose a new password, too short', await submitForm(session, app, reset, '/password/reset', { password: 'short' }));
  keep('password changed', await submitForm(session, app, reset, '/password/reset', { password: 'tangerine wolf quietly paints' }));
  keep('reset link no longer works', await new HttpSession().request(`${app.url}/password/reset?token=nope`));
  keep('verification link no longer works', await new HttpSession().request(`${app.url}/verify-email?token=nope`));
  keep('secure your account, dead link', await new HttpSession().request(`${app.url}/security/undo?token=nope`));

  // Errors and sign-out.
  keep('not found', await new HttpSession().request(`${app.url}/password/nowhere`));
  keep('unknown application', await new HttpSession().follow(`${app.url}/auth?client_id=nobody&response_type=code&scope=openid`, app.url));
  keep('sign out?', await new HttpSession().follow(`${app.url}/session/end`, app.url));
  session = new HttpSession();
  await openSignedIn(app, session, user, '/account/security');
  const confirmSignOut = await session.follow(`${app.url}/session/end`, app.url);
  const formTag = /<form[^>]*id="op.logoutForm"[^>]*>/.exec(confirmSignOut.body)?.[0] ?? '';
  const action = /action="([^"]+)"/.exec(formTag)?.[1] ?? '/session/end/confirm';
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmSignOut.body)?.[1] ?? '';
  keep('signed out', await session.submit(new URL(action, app.url).href, { xsrf, logout: 'yes' }, app.url));
});
afterAll(async () => {
  await browser?.close();
  await close?.();
});

interface Finding { id: string; impact: string; nodes: string[] }

describe('accessibility', () => {
  it('collects every page it audits', () => {
    expect(pages.map((entry) => entry.name)).toEqual(expect.arrayContaining(['confirm the address', 'sign in again', 'signed out', 'second factor, wrong code', 'recovery codes']));
    expect(pages.length).toBeGreaterThanOrEqual(29);
    const body = (name: string) => pages.find((entry) => entry.name === name)!.page.body;
    expect(body('signed out')).toContain('You have signed out');
    expect(body('confirm the address')).toContain('Confirm your address');
    expect(body('sign in again')).toContain('Sign in again');
    for (const { name, page } of pages) expect(page.status, name).toBeLessThan(500);
  });

  for (const [label, options] of [
    ['desktop, light', { viewport: { width: 1280, height: 900 }, colorScheme: 'light' }],
    ['390 px, dark', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' }],
  ] as const) {
    it(`has no serious or critical axe violation on any page (${label}), and 3:1 field borders and focus rings`, async () => {
      const context = await browser.newContext({ ...options, bypassCSP: true });
      const tab = await context.newPage();
      await tab.goto(`${app.url}/healthz`); // this origin, so the pages' stylesheet and scripts load
      const problems: string[] = [];
      for (const { name, page } of pages) {
        await tab.setContent(page.body, { waitUntil: 'load' });
        await tab.evaluate(axeSource);
        const findings = await tab.evaluate(async () => {
          const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
          const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
          return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((node) => node.target.join(' ')) }));
        }) as Finding[];
        for (const finding of findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')) {
          problems.push(`${name}: ${finding.id} (${finding.impact}) at ${finding.nodes.slice(0, 3).join(', ')}`);
        }
        const borders = await tab.evaluate(() => {
          const card = getComputedStyle(document.querySelector('main')!).backgroundColor;
          return [...document.querySelectorAll('input[type=email], input[type=password], input[type=text]')]
            .filter((input) => (input as HTMLElement).offsetParent !== null)
            .map((input) => ({ id: input.id, border: getComputedStyle(input).borderTopColor, card }));
        });
        for (const border of borders) {
          const ratio = contrastRatio(hex(border.border), hex(border.card));
          if (ratio < 3) problems.push(`${name}: the border of #${border.id} is ${ratio.toFixed(2)}:1 against the card`);
        }
        const firstField = await tab.$('main input:not([type=hidden]), main button');
        if (firstField) {
          await firstField.focus();
          const ring = await tab.evaluate(() => {
            const focused = document.activeElement as HTMLElement;
            const style = getComputedStyle(focused);
            return { width: style.outlineWidth, colour: style.outlineColor, card: getComputedStyle(document.querySelector('main')!).backgroundColor };
          });
          if (parseFloat(ring.width) < 2 || contrastRatio(hex(ring.colour), hex(ring.card)) < 3) problems.push(`${name}: focus ring ${ring.width} ${ring.colour} on ${ring.card}`);
        }
      }
      await context.close();
      expect(problems).toEqual([]);
    });
  }
});

/** rgb(…) or rgba(…) as #rrggbb (the card and borders are opaque). */
function hex(css: string): string {
  return `#${css.match(/[\d.]+/g)!.slice(0, 3).map((n) => Math.round(Number(n)).toString(16).padStart(2, '0')).join('')}`;
}
