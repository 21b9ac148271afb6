// OpenID Connect Back-Channel Logout, end to end: the sample app (which checks each logout
// token's signature and claims with jose) signed in through Chromium, and its own sessions
// ending when the person signs out of Latchkey, one device is signed out, an administrator
// disables the account; delivery retried while the application is down.
import crypto from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSampleApp } from '../../examples/sample-app.ts';
import { signOut } from '../../src/libraries/sign-out.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import { freePort } from '../helpers/processes.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let browser: Browser;
let sample: Awaited<ReturnType<typeof startSampleApp>>;
let port: number;
let client: { client_id: string; client_secret: string };

const startSample = () => startSampleApp({ issuer: app.url, clientId: client.client_id, clientSecret: client.client_secret, port });

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  port = await freePort();
  const created = await app.cli('clients', 'create', '--name', 'Sample app', '--redirect-uri', `http://localhost:${port}/callback`,
    '--post-logout-redirect-uri', `http://localhost:${port}/`, '--backchannel-logout-uri', `http://localhost:${port}/backchannel-logout`,
    '--backchannel-logout-session-required', '--json');
  expect(created.code, created.stderr).toBe(0);
  client = JSON.parse(created.stdout) as typeof client;
  sample = await startSample();
});
afterAll(async () => {
  await sample?.close();
  await browser?.close();
  await app?.close();
});

/** A new browser signed in to the sample app as `user` (consent given on the way the first time). */
async function signedInToSample(user: { email: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(sample.url);
  await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const allow = page.getByRole('button', { name: 'Allow' });
  await Promise.race([allow.waitFor().then(() => allow.click()), page.locator('#claims').waitFor()]);
  await page.locator('#claims').waitFor();
  return page;
}

const sidOn = async (page: Page) => (JSON.parse(await page.locator('#claims').innerText()) as { sid?: string }).sid;

/** Reloads the sample app until it shows the person signed out (the worker polls about every second). */
async function expectSignedOutOfSample(page: Page) {
  await expect.poll(async () => {
    await page.goto(sample.url);
    return page.getByRole('link', { name: 'Sign in with Latchkey' }).count();
  }, { timeout: 15_000, interval: 500 }).toBe(1);
}

const logoutsOf = (accountId: string) => app.services.db.knex('backchannel_logouts').where({ account_id: accountId }).orderBy('created_at');

describe('back-channel logout', () => {
  it('is advertised in discovery, and registered and checked through the CLI and the admin API', async () => {
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(discovery).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
    expect(discovery.claims_supported).toContain('sid');

    const shown = await app.cli('clients', 'show', client.client_id, '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ backchannel_logout_uri: `http://localhost:${port}/backchannel-logout`, backchannel_logout_session_required: true });

    for (const bad of ['http://apps.example.com/logout', 'https://apps.example.com/logout#part', 'https://user:pw@apps.example.com/logout', 'not a url']) {
      const refused = await app.cli('clients', 'create', '--name', 'Bad', '--redirect-uri', 'https://apps.example.com/cb', '--backchannel-logout-uri', bad);
      expect(refused.code, bad).not.toBe(0);
      expect(refused.stderr).toMatch(/back-channel logout URI/);
    }
    const machine = await app.cli('clients', 'create', '--name', 'Machine', '--grant-type', 'client_credentials', '--backchannel-logout-uri', 'https://apps.example.com/logout');
    expect(machine.code).not.toBe(0);

    const updated = await app.cli('clients', 'update', client.client_id, '--backchannel-logout-session-required', 'false', '--json');
    expect(JSON.parse(updated.stdout).backchannel_logout_session_required).toBe(false);
    const back = await app.cli('clients', 'update', client.client_id, '--backchannel-logout-session-required', 'true', '--json');
    expect(JSON.parse(back.stdout).backchannel_logout_session_required).toBe(true);
  });

  it('ends the sample app\'s session when the person signs out of Latchkey, with a token the app verified', async () => {
    const user = await createUser(app, { name: 'Ada Lovelace' });
    const page = await signedInToSample(user);
    const sid = await sidOn(page);
    expect(sid, 'the ID token carries the session id the logout token will name').toBeTruthy();

    // Signing out at Latchkey itself (not through the app): every application of the session is told.
    await page.goto(`${app.url}/session/end`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForLoadState();
    await expectSignedOutOfSample(page);

    const [row] = await logoutsOf(user.id);
    expect(row).toMatchObject({ client_id: client.client_id, sid, attempts: 1, last_error: null });
    expect(row.delivered_at).not.toBeNull();
    expect(app.logs.some((entry) => entry.msg === 'back-channel logout delivered' && entry.logout_id === row.id)).toBe(true);
  });

  it('ends only the session of the device signed out, and every one when an administrator disables the account', async () => {
    const user = await createUser(app);
    const [first, second] = [await signedInToSample(user), await signedInToSample(user)];
    expect(sample.signedIn()).toBeGreaterThanOrEqual(2);
    const sessions = await app.services.queries.oidcPayloads.listLivePayloadsOfAccount('Session', user.id);
    expect(sessions).toHaveLength(2);
    const firstSid = await sidOn(first);
    const firstSession = sessions.find((session) => Object.values(session.payload.authorizations as Record<string, { sid: string }>).some(({ sid }) => sid === firstSid))!;

    await app.services.queries.transaction((q) => signOut(q, user.id, { session: firstSession.id }));
    await expectSignedOutOfSample(first);
    await second.goto(sample.url);
    expect(await second.locator('#claims').count(), 'the other device is still signed in to the app').toBe(1);

    await app.services.accounts.setDisabled(user.id, true);
    await expectSignedOutOfSample(second);
    expect((await logoutsOf(user.id)).map((row) => row.delivered_at !== null)).toEqual([true, true]);
  });

  it('keeps trying while the application is down, and delivers once it is back', async () => {
    const user = await createUser(app);
    const page = await signedInToSample(user);
    await sample.close();

    await app.services.accountAdmin.endSessions(user.id);
    await expect.poll(async () => (await logoutsOf(user.id))[0]?.last_error ?? null, { timeout: 15_000, interval: 300 }).not.toBeNull();
    const [failed] = await logoutsOf(user.id);
    expect(failed.delivered_at).toBeNull();
    expect(failed.next_attempt_at.getTime()).toBeGreaterThan(Date.now()); // backed off, not given up
    expect(app.logs.some((entry) => entry.msg === 'back-channel logout failed; will retry' && entry.logout_id === failed.id)).toBe(true);

    sample = await startSample();
    // The app lost its sessions when it stopped; sign in again so there is one for the retry to end.
    const again = await signedInToSample(user);
    await app.services.db.knex('backchannel_logouts').where({ id: failed.id }).update({ next_attempt_at: app.services.db.knex.fn.now() });
    await app.services.backchannelLogouts.deliverDueLogouts();
    const [delivered] = await logoutsOf(user.id);
    expect(delivered.delivered_at).not.toBeNull();
    expect(delivered.attempts).toBe(2);
    await page.close();
    await again.close();
  });

  it('the sample app refuses a logout token Latchkey did not sign, and one that is no token at all', async () => {
    const user = await createUser(app);
    const page = await signedInToSample(user);
    const claims = JSON.parse(await page.locator('#claims').innerText()) as { sub: string; sid: string };
    const { privateKey } = await generateKeyPair('RS256');
    const forge = (payload: Record<string, unknown>) => new SignJWT({ ...payload }).setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: 'forged' })
      .setIssuer(app.url).setAudience(client.client_id).setIssuedAt().setJti(crypto.randomUUID()).sign(privateKey);
    for (const token of [
      await forge({ sub: claims.sub, sid: claims.sid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }),
      'not.a.token',
    ]) {
      const answer = await fetch(`${sample.url}/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: token }) });
      expect(answer.status).toBe(400);
    }
    await page.reload();
    expect(await page.locator('#claims').count(), 'still signed in').toBe(1);
  });
});
