// The console's Keys and tokens page in Chromium: the signing keys with their state, rotated only
// after a recent sign-in; an API token shown once that works against the admin API until it is
// revoked; an initial access token for dynamic registration, shown once. Each change is checked
// in the database and the audit log, with the admin as its actor.
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageConsoleSignIn, type ConsoleAdmin, type ConsoleFixture, makeAdmin, openConsole, seriousViolations, signInOnPage, startConsole } from '../helpers/console.ts';
import { withAppAndMail } from '../helpers/hosted-pages.ts';
import type { TestApp } from '../helpers/start-app.ts';

let fixture: ConsoleFixture;
let app: TestApp, browser: Browser, admin: ConsoleAdmin, page: Page, problems: string[];

beforeAll(async () => ({ app, browser, admin, page, problems } = fixture = await startConsole()));
afterAll(() => fixture?.close());

const knex = () => app.services.db.knex;

/** Each signing key's state as the page shows it, by key id. */
async function statesShown(): Promise<Record<string, string>> {
  const rows = await page.locator('tr[data-kid]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-kid')!, tr.querySelector('.badge')!.textContent!.trim()]));
  return Object.fromEntries(rows);
}

const listUsers = (token: string) => fetch(`${app.url}/api/admin/v1/users`, { headers: { Authorization: `Bearer ${token}` } });

describe('console: keys and tokens', () => {
  it('shows the signing keys and rotates them only after a recent sign-in', async () => {
    await page.getByRole('link', { name: 'Keys and tokens', exact: true }).click();
    await page.getByRole('heading', { name: 'Keys and tokens', level: 1 }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const first = await knex()('signing_keys').pluck('kid');
    expect(first).toHaveLength(3);
    expect(await statesShown()).toEqual(Object.fromEntries(first.map((kid) => [kid, 'Signing'])));

    await ageConsoleSignIn(app, page, 10 * 60);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await page.getByRole('heading', { name: 'Sign in again' }).waitFor();
    expect(await knex()('signing_keys').pluck('kid')).toHaveLength(3);
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signInOnPage(page, admin);
    await page.waitForURL(`${app.url}/admin/keys`);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Rotate keys' }).click(); // in 5 minutes, as the CLI
    await page.getByText('New signing keys were published.').waitFor();
    const next = (await knex()('signing_keys').pluck('kid')).filter((kid: string) => !first.includes(kid));
    expect(next).toHaveLength(3);
    expect(await statesShown()).toEqual(Object.fromEntries([...first.map((kid) => [kid, 'Signing']), ...next.map((kid: string) => [kid, 'Next'])]));

    await page.getByLabel('New keys sign').selectOption({ label: 'At once (relying parties that cached the old keys may fail to verify for a while)' });
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await page.getByText('New signing keys were published.').waitFor();
    const now = (await knex()('signing_keys').pluck('kid')).filter((kid: string) => !first.includes(kid) && !next.includes(kid));
    expect(now).toHaveLength(3); // the keys that never signed were dropped; the first ones retire
    expect(await statesShown()).toEqual(Object.fromEntries([...first.map((kid) => [kid, 'Retiring']), ...now.map((kid: string) => [kid, 'Signing'])]));
    const jwks = await (await fetch(`${app.url}/jwks`)).json() as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid).sort()).toEqual([...first, ...now].sort());
    const rotated = await knex()('audit_events').where({ type: 'key.rotated' });
    expect(rotated).toHaveLength(6);
    expect(rotated.every((event) => event.actor_type === 'account' && event.actor_id === admin.id)).toBe(true);
  });

  it('makes an API token that is shown once and works against the admin API until it is revoked', async () => {
    await page.goto(`${app.url}/admin/keys`);
    await page.getByLabel('Token name').fill('HR sync');
    await page.getByRole('button', { name: 'Make the token' }).click(); // no scope chosen
    await expect(page.locator('#token-scopes-error').innerText()).resolves.toContain('scopes offered');
    expect(await page.getByLabel('Token name').inputValue()).toBe('HR sync');
    expect(await knex()('api_tokens')).toHaveLength(0);

    await page.getByRole('checkbox', { name: /^admin:read/ }).check();
    await page.getByLabel('Expires after').selectOption({ label: '30 days' });
    await page.getByRole('button', { name: 'Make the token' }).click();
    await page.getByText('The API token was made.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const token = (await page.locator('#revealed-token').innerText()).trim();
    expect(token).toMatch(/^lkat_[\w-]{43}$/);
    expect(page.url()).not.toContain(token);
    expect((await page.context().cookies()).some((cookie) => cookie.value.includes(token))).toBe(false); // sealed, not readable
    await page.reload();
    expect(await page.locator('#revealed-token').count()).toBe(0); // shown once

    expect((await listUsers(token)).status).toBe(200);
    const row = await knex()('api_tokens').where({ name: 'HR sync' }).first();
    expect(row).toMatchObject({ scopes: ['admin:read'], revoked_at: null, created_by: `account:${admin.id}` });
    expect(Math.round((row.expires_at.getTime() - row.created_at.getTime()) / 86_400_000)).toBe(30);
    expect(JSON.stringify(await knex()('audit_events').where({ type: 'api_token.created' }))).not.toContain(token);
    expect(await knex()('audit_events').where({ type: 'api_token.created', actor_id: admin.id })).toHaveLength(1);
    expect(app.logs.some((line) => JSON.stringify(line).includes(token))).toBe(false);

    await page.reload();
    const listed = page.getByRole('row', { name: /HR sync/ });
    expect(await listed.innerText()).toContain('Active');
    expect(await listed.innerText()).not.toContain('Never'); // last used: just now
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke the token HR sync' }).click();
    await page.getByText('The API token was revoked.').waitFor();
    expect((await listUsers(token)).status).toBe(401);
    expect(await page.getByRole('row', { name: /HR sync/ }).innerText()).toContain('Revoked');
    expect(await knex()('audit_events').where({ type: 'api_token.revoked', actor_id: admin.id })).toHaveLength(1);

    // A form without its CSRF token makes nothing.
    const forged = await page.context().request.post(`${app.url}/admin/keys/tokens`, { form: { name: 'forged', scope: 'admin', expiry: 'never' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await knex()('api_tokens').where({ name: 'forged' })).toHaveLength(0);
  });

  it('makes an initial access token for dynamic registration, shown once, and says registration is off', async () => {
    await page.goto(`${app.url}/admin/keys`);
    const section = page.getByRole('region', { name: 'Initial access tokens' });
    expect(await section.innerText()).toContain('Dynamic registration is off');
    expect(await section.innerText()).toContain('No initial access token is live.');
    await page.getByLabel('Valid for').selectOption({ label: '7 days' });
    await page.getByRole('button', { name: 'Make an initial access token' }).click();
    await page.getByText('The initial access token was made.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const token = (await page.locator('#revealed-token').innerText()).trim();
    expect(await page.locator('.reveal').innerText()).toContain('DYNAMIC_REGISTRATION=on');
    const stored = await knex()('oidc_payloads').where({ model: 'InitialAccessToken', id: createHash('sha256').update(token).digest('base64url') }).first();
    expect(Math.round((stored.expires_at.getTime() - Date.now()) / 86_400_000)).toBe(7);
    expect(await section.locator('tbody tr').count()).toBe(1);
    await page.reload();
    expect(await page.locator('#revealed-token').count()).toBe(0);
    expect(await knex()('audit_events').where({ type: 'initial_access_token.created', actor_id: admin.id })).toHaveLength(1);
  });

  it('says where clients register when dynamic registration is on, and the token made there registers one', async () => {
    await withAppAndMail({ DYNAMIC_REGISTRATION: 'on' }, async ({ app: on }) => {
      const onAdmin = await makeAdmin(on);
      const onPage = await openConsole(browser, on, onAdmin, problems);
      await onPage.goto(`${on.url}/admin/keys`);
      expect(await onPage.getByRole('region', { name: 'Initial access tokens' }).innerText()).toContain(`Dynamic registration is on. Clients register at ${on.url}/reg`);
      await onPage.getByRole('button', { name: 'Make an initial access token' }).click();
      const token = (await onPage.locator('#revealed-token').innerText()).trim();
      expect(await onPage.locator('.reveal').innerText()).not.toContain('DYNAMIC_REGISTRATION=on');
      const registered = await fetch(`${on.url}/reg`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ client_name: 'Self-registered', redirect_uris: ['http://localhost:9/cb'] }),
      });
      expect(registered.status).toBe(201);
      await onPage.context().close();
    });
    expect(problems).toEqual([]);
  });
});
