import * as oc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startCallbackServer, type CallbackServer } from '../helpers/browser.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

// A real relying-party library (openid-client) and a real browser (Chromium) through the
// whole life of a sign-in: code flow with PKCE, userinfo, refresh, introspection,
// revocation and RP-initiated logout.
describe('a relying party using openid-client, with a person in Chromium', () => {
  let app: TestApp;
  let rp: CallbackServer;
  let browser: Browser;
  let context: BrowserContext;
  let config: oc.Configuration;
  let user: Awaited<ReturnType<typeof createUser>>;
  let tokens: oc.TokenEndpointResponse & oc.TokenEndpointResponseHelpers;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    [app, rp, browser] = await Promise.all([startApp(), startCallbackServer(), launchBrowser()]);
    const created = await app.cli('clients', 'create', '--name', 'Sample App', '--redirect-uri', `${rp.origin}/cb`,
      '--post-logout-redirect-uri', `${rp.origin}/bye`, '--json');
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    config = await oc.discovery(new URL(app.url), client.client_id, client.client_secret, undefined, { execute: [oc.allowInsecureRequests] });
    user = await createUser(app, { name: 'Ada Lovelace' });
    context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true }); // a phone
  });
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await app?.close();
  });

  async function watch(page: Page) {
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    return page;
  }

  it('signs the person in through the hosted pages and gets tokens it can verify', async () => {
    const verifier = oc.randomPKCECodeVerifier();
    const state = oc.randomState();
    const nonce = oc.randomNonce();
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.origin}/cb`, scope: 'openid email profile offline_access', prompt: 'consent',
      code_challenge: await oc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce,
    });
    const page = await watch(await context.newPage());
    await page.goto(url.href);
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true); // fits a phone
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    expect(await page.locator('.scopes').innerText()).toMatch(/See your email address[\s\S]*Keep access while you are not using it/);
    const callback = rp.next('/cb');
    await page.getByRole('button', { name: 'Allow' }).click();

    tokens = await oc.authorizationCodeGrant(config, await callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(user.id);
    expect(claims.iss).toBe(app.url);
    expect(tokens.refresh_token).toBeTruthy();
    const userinfo = await oc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ email: user.email, email_verified: true, name: 'Ada Lovelace' });
  });

  it('refreshes, introspects and revokes', async () => {
    const refreshed = await oc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(user.id);
    expect((await oc.tokenIntrospection(config, refreshed.access_token)).active).toBe(true);
    await oc.tokenRevocation(config, refreshed.access_token);
    expect((await oc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
    await expect(oc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('signs the person out when the relying party asks and they confirm', async () => {
    const page = await watch(await context.newPage());
    const back = rp.next('/bye');
    await page.goto(oc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${rp.origin}/bye`, state: 'see-you' }).href);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    expect((await back).searchParams.get('state')).toBe('see-you');

    const silent = rp.next('/cb');
    await page.goto(oc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.origin}/cb`, scope: 'openid', prompt: 'none', state: 's',
      code_challenge: await oc.calculatePKCECodeChallenge(oc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    }).href);
    expect((await silent).searchParams.get('error')).toBe('login_required');
  });

  it('raised no browser console errors (such as blocked content) on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
