import * as oc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startCallbackServer, type CallbackServer } from '../helpers/browser.ts';
import { startMailSink, type MailSink } from '../helpers/mail-sink.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { addVirtualAuthenticator, type VirtualAuthenticator } from '../helpers/virtual-authenticator.ts';

const MFA = 'urn:latchkey:acr:mfa';

// Security keys and passkeys end to end: Chromium with the DevTools Protocol's virtual
// authenticator, and openid-client checking what the ID token says about the sign-in.
describe('passkeys in Chromium, checked by openid-client', () => {
  let app: TestApp;
  let sink: MailSink;
  let rp: CallbackServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let config: oc.Configuration;
  let user: Awaited<ReturnType<typeof createUser>>;
  const problems: string[] = [];

  beforeAll(async () => {
    sink = await startMailSink();
    [app, rp, browser] = await Promise.all([startApp({ env: { SMTP_URL: sink.url } }), startCallbackServer(), launchBrowser()]);
    const created = await app.cli('clients', 'create', '--name', 'Passkey App', '--redirect-uri', `${rp.origin}/cb`, '--json');
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    config = await oc.discovery(new URL(app.url), client.client_id, client.client_secret, undefined, { execute: [oc.allowInsecureRequests] });
    user = await createUser(app, { name: 'Grace Hopper' });
    context = await browser.newContext();
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    authenticator = await addVirtualAuthenticator(page);
  });
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await app?.close();
    await sink?.close();
  });

  /** Starts an authorization request; `finish` waits for the callback and returns the verified claims. */
  async function signIn(extra: Record<string, string> = {}) {
    const verifier = oc.randomPKCECodeVerifier();
    const state = oc.randomState();
    const nonce = oc.randomNonce();
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.origin}/cb`, scope: 'openid email', state, nonce,
      code_challenge: await oc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    const callback = rp.next('/cb');
    await page.goto(url.href);
    return {
      async finish() {
        const allow = page.getByRole('button', { name: 'Allow' });
        await Promise.race([callback, allow.waitFor().then(() => allow.click())]);
        // The browser has finished arriving at the callback, so the next sign-in's navigation is not cut short.
        await page.waitForURL((url) => url.pathname === '/cb');
        const tokens = await oc.authorizationCodeGrant(config, await callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
        return tokens.claims()!;
      },
    };
  }

  async function typePassword() {
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('sets up a passkey when the application asks for MFA, shows recovery codes, and signs in with pwd + key', async () => {
    const flow = await signIn({ acr_values: MFA });
    await typePassword();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await page.getByLabel('Name it').fill('Laptop');
    await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await page.locator('.recovery-codes li').count()).toBe(10);
    await page.getByRole('button', { name: /continue/ }).click();
    const claims = await flow.finish();
    expect(claims.acr).toBe(MFA);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'mfa']); // a device-bound key: not synced

    expect(await authenticator.credentials()).toHaveLength(1);
    const [row] = await app.services.db.knex('webauthn_credentials').where({ account_id: user.id });
    expect(row).toMatchObject({ name: 'Laptop', backed_up: false });
    expect((await sink.next(user.email)).text).toContain('A security key or passkey was added');
  });

  it('offers the passkey in the sign-in page\'s autofill, which signs in with it alone', async () => {
    await context.clearCookies();
    const flow = await signIn({ acr_values: MFA }); // the virtual authenticator picks the offered passkey at once
    const claims = await flow.finish();
    expect(claims.sub).toBe(user.id);
    expect(claims).toMatchObject({ acr: MFA, amr: ['hwk', 'mfa'] });
    const [row] = await app.services.db.knex('webauthn_credentials').where({ account_id: user.id });
    expect(Number(row.sign_count)).toBeGreaterThan(0); // the counter moved and was stored
  });

  it('with prompt=login, signs in once with the passkey, then asks consent for a new scope, then returns the code', async () => {
    const uses = async () => Number((await app.services.db.knex('webauthn_credentials').where({ account_id: user.id }).first()).sign_count);
    const before = await uses();
    // Signed in already; prompt=login wants a fresh sign-in, and profile was never allowed.
    const flow = await signIn({ prompt: 'login', scope: 'openid email profile' });
    await page.getByRole('button', { name: 'Allow' }).waitFor(); // the passkey autofill signed in
    const claims = await flow.finish();
    expect(claims).toMatchObject({ sub: user.id, amr: ['hwk', 'mfa'] });
    expect(await uses()).toBe(before + 1); // one sign-in, not a second round after the consent
  });

  it('does not sign in with a passkey when the authenticator cannot verify the person', async () => {
    await context.clearCookies();
    await authenticator.setUserVerified(false);
    try {
      await signIn();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await expect(page.locator('.alert').first().innerText()).resolves.toMatch(/cancelled or timed out/);
      expect(page.url()).toContain('/interaction/');
    } finally {
      await page.goto('about:blank');
      await authenticator.setUserVerified(true);
    }
  });

  it('refuses on the server a passkey sign-in whose options were changed to skip user verification', async () => {
    await context.clearCookies();
    await authenticator.setUserVerified(false);
    // What a tampered page would do: ask the authenticator not to verify the person. Only the
    // button's request is tampered with; the page's autofill offers get nothing, so that no
    // automatic retry races the click.
    let tamperNext = false;
    let autofillRefused!: () => void;
    const autofillDone = new Promise<void>((resolve) => { autofillRefused = resolve; });
    await page.route('**/passkey/options', async (route) => {
      if (!tamperNext) {
        await route.abort();
        autofillRefused();
        return;
      }
      tamperNext = false;
      const response = await route.fetch();
      const body = await response.json();
      body.options.userVerification = 'discouraged';
      await route.fulfill({ response, json: body });
    });
    try {
      await signIn();
      await autofillDone;
      tamperNext = true;
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await expect(page.locator('.alert').first().innerText()).resolves.toContain('could not be checked');
      expect(page.url()).toContain('/interaction/');
    } finally {
      await page.goto('about:blank'); // no autofill left running on the sign-in page
      await page.unroute('**/passkey/options');
      await authenticator.setUserVerified(true);
    }
  });

  it('asks for a security key as the second factor after the password', async () => {
    // Another person, with a roaming key that keeps no passkeys: autofill has nothing to offer.
    const other = await createUser(app, { name: 'Katherine Johnson' });
    const keyPage = await context.newPage();
    keyPage.on('pageerror', (error) => problems.push(error.message));
    await addVirtualAuthenticator(keyPage, { transport: 'usb', hasResidentKey: false, hasUserVerification: false, isUserVerified: false });
    const previous = page;
    page = keyPage;
    user = other;
    try {
      await context.clearCookies();
      const enrol = await signIn({ acr_values: MFA });
      await typePassword();
      await page.getByLabel('Name it').fill('Blue key');
      await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
      await page.getByRole('button', { name: /continue/ }).click();
      await enrol.finish();

      await context.clearCookies();
      const flow = await signIn();
      await typePassword();
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      await page.getByRole('button', { name: 'Use a security key or passkey' }).click();
      expect(await flow.finish()).toMatchObject({ acr: MFA, amr: ['pwd', 'hwk', 'mfa'] });
    } finally {
      page = previous;
    }
    expect(problems).toEqual([]);
  });
});
