// Who may use the admin console, in Chromium: an admin who passed a second factor in this
// session; an admin without one is asked for it (or to set one up); anyone else is refused;
// destructive actions need a sign-in from the last five minutes; a form without its CSRF token
// changes nothing.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { ageConsoleSignIn, makeAdmin, openConsole, seriousViolations, signInOnPage } from '../helpers/console.ts';
import { startAppWithMail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let close: () => Promise<void>;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  [{ app, sink, close }, browser] = await Promise.all([startAppWithMail(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await close?.();
});

describe('admin console access', () => {
  it('lets an admin in only after a second factor, and records what they do as theirs', async () => {
    const admin = await makeAdmin(app);
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${app.url}/admin/people`);
    const auth = new URL(page.url());
    expect(auth.pathname).toMatch(/^\/interaction\//); // sent to Latchkey's sign-in
    await signInOnPage(page, admin);
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/people');
    expect(await seriousViolations(page)).toEqual([]);
    const response = await page.goto(`${app.url}/admin/people`);
    expect(response!.headers()['cache-control']).toBe('no-store');
    expect(response!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(problems).toEqual([]);
  });

  it('does not take a one-factor session as enough: a person made admin while signed in with a password sets up a second factor first', async () => {
    const admin = await makeAdmin(app, { withSecondFactor: false, admin: false });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${app.url}/account/security`);
    await signInOnPage(page, admin);
    await page.getByRole('heading', { name: 'Account security' }).waitFor(); // signed in, one factor
    await app.services.roles.grant('admin', admin.id);
    await page.goto(`${app.url}/admin/people`);
    expect(await page.locator('main').innerText()).not.toContain('People');
    await signInOnPage(page, admin); // the provider asks for the sign-in again, then for the factor
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    // Nor does a form posted from that session do anything.
    const posted = await page.context().request.post(`${app.url}/admin/people`, { form: { email: 'one-factor@example.test' }, maxRedirects: 0 });
    expect(posted.status()).toBe(403);
    expect(await app.services.db.knex('accounts').where({ email: 'one-factor@example.test' })).toHaveLength(0);
  });

  it('has an admin without any second factor set one up first, whatever MFA_REQUIRED says', async () => {
    const admin = await makeAdmin(app, { withSecondFactor: false });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${app.url}/admin`);
    await signInOnPage(page, admin);
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
  });

  it('refuses a person who is not an admin, even with a second factor', async () => {
    const person = await makeAdmin(app, { admin: false });
    const page = await (await browser.newContext()).newPage();
    const answer = await page.goto(`${app.url}/admin/people`);
    expect(answer!.ok()).toBe(true);
    await signInOnPage(page, person);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('not one');
    expect(await page.locator('main').innerText()).not.toContain(person.email.replace(/@.*/, '@nowhere'));
    expect(await seriousViolations(page)).toEqual([]);
    // A form posted by this browser is refused too, and changes nothing.
    const csrf = await page.context().request.get(`${app.url}/admin/people`);
    expect(csrf.status()).toBe(403);
    const before = await app.services.db.knex('accounts').count({ n: '*' }).first();
    const posted = await page.context().request.post(`${app.url}/admin/people`, { form: { email: 'sneaky@example.test' }, maxRedirects: 0 });
    expect(posted.status()).toBe(403);
    expect(await app.services.db.knex('accounts').count({ n: '*' }).first()).toEqual(before);
  });

  it('asks for a fresh sign-in before a destructive action, then goes back to the page', async () => {
    const admin = await makeAdmin(app);
    const target = await makeAdmin(app, { admin: false });
    const page = await openConsole(browser, app, admin, problems);
    await page.goto(`${app.url}/admin/people/${target.id}`);
    await ageConsoleSignIn(app, page, 10 * 60);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove every second factor' }).click();
    await page.getByRole('heading', { name: 'Sign in again' }).waitFor();
    expect(await app.services.db.knex('totp_factors').where({ account_id: target.id }).whereNotNull('confirmed_at')).toHaveLength(1);
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signInOnPage(page, admin);
    await page.waitForURL(`${app.url}/admin/people/${target.id}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove every second factor' }).click();
    await page.getByText('Every second factor was removed.').waitFor();
    expect(await app.services.db.knex('totp_factors').where({ account_id: target.id })).toHaveLength(0);
    const [event] = await app.services.db.knex('audit_events').where({ subject_id: target.id, type: 'factor.removed' });
    expect(event).toMatchObject({ actor_type: 'account', actor_id: admin.id });
    await sink.next(target.email); // the owner is told
  });

  it('asks for a fresh sign-in before making lasting powers: a machine client, an admin, an address change', async () => {
    const admin = await makeAdmin(app);
    const target = await makeAdmin(app, { admin: false });
    const page = await openConsole(browser, app, admin, problems);
    await page.goto(`${app.url}/admin/people/new`);
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    await ageConsoleSignIn(app, page, 10 * 60);
    const post = (path: string, form: Record<string, string>) => page.context().request.post(`${app.url}${path}`, { form: { _csrf: csrf, ...form }, maxRedirects: 0 });
    const clientsBefore = (await app.services.clients.listClients()).length;
    for (const [path, form] of [
      ['/admin/applications', { kind: 'machine', name: 'Robot', scope: 'admin' }],
      ['/admin/people', { email: 'new.admin@example.test', admin: 'yes', invite: 'yes' }],
      [`/admin/people/${target.id}/roles/grant`, { role: 'admin' }],
      [`/admin/people/${target.id}/email`, { email: 'taken.over@example.test', verified: 'yes' }],
    ] as const) {
      const answer = await post(path, form);
      expect(answer.status(), path).toBe(303);
      expect(answer.headers().location, path).toMatch(/^\/admin\/sign-in-again/);
    }
    expect((await app.services.clients.listClients()).length).toBe(clientsBefore);
    expect(await app.services.db.knex('accounts').where({ email: 'new.admin@example.test' })).toHaveLength(0);
    expect(await app.services.db.knex('accounts').where({ id: target.id }).first()).toMatchObject({ email: target.email, roles: [] });
    // Giving an ordinary role is no lasting power: it needs no fresh sign-in.
    await app.services.roles.create({ name: 'readers' });
    expect((await post(`/admin/people/${target.id}/roles/grant`, { role: 'readers' })).headers().location).toMatch(/done=role-granted/);
  });

  it('refuses a console form without its CSRF token', async () => {
    const admin = await makeAdmin(app);
    const page = await openConsole(browser, app, admin, problems);
    const posted = await page.context().request.post(`${app.url}/admin/people`, { form: { email: 'forged@example.test' }, maxRedirects: 0 });
    expect(posted.status()).toBe(403);
    expect(await app.services.db.knex('accounts').where({ email: 'forged@example.test' })).toHaveLength(0);
    expect(problems).toEqual([]);
  });

  it('answers input no page expects with a clear 400 or the plain page, never a 500, and changing nothing', async () => {
    const admin = await makeAdmin(app);
    const page = await openConsole(browser, app, admin, problems);
    for (const path of ['/admin/people?q=%00', '/admin/audit?client=%00', '/admin/audit/export?actor=a%00']) {
      expect((await page.goto(`${app.url}${path}`))!.status(), path).toBe(400);
    }
    expect((await page.goto(`${app.url}/admin/audit?to=9999-12-31`))!.status()).toBe(400);
    for (const done of ['constructor', '__proto__', 'toString']) {
      expect((await page.goto(`${app.url}/admin/people?done=${done}`))!.status(), done).toBe(200);
    }
    await page.goto(`${app.url}/admin/people/new`);
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    const named = await page.context().request.post(`${app.url}/admin/people`, { form: { _csrf: csrf, email: 'nul@example.test', name: 'a\u0000b' }, maxRedirects: 0 });
    expect(named.status()).toBe(400);
    expect(await app.services.db.knex('accounts').where({ email: 'nul@example.test' })).toHaveLength(0);
  });

  it('records an export of the audit log, as the admin who downloaded it', async () => {
    const admin = await makeAdmin(app);
    const page = await openConsole(browser, app, admin, problems);
    const answer = await page.context().request.get(`${app.url}/admin/audit/export?type=sign_in.failed`);
    expect(answer.status()).toBe(200);
    const [event] = await app.services.db.knex('audit_events').where({ type: 'audit_log.exported', actor_id: admin.id });
    expect(event.details).toEqual({ filter: { types: ['sign_in.failed'] } });
  });

  it('has no serious or critical axe violation on any console page on a phone in dark mode', async () => {
    const admin = await makeAdmin(app);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${app.url}/admin`);
    await signInOnPage(page, admin);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const role = await app.services.roles.create({ name: 'phone-readers' });
    const resource = await app.services.apiResources.create({ identifier: 'https://phone.example.test', name: 'Phone API', permissions: ['read'] });
    const { client } = await app.services.clients.createClient({ name: 'Phone app', redirectUris: ['https://phone.example.test/cb'], postLogoutRedirectUris: [], isPublic: false, grantTypes: ['authorization_code'], scopes: [], skipConsent: false });
    const found: string[] = [];
    for (const path of ['/admin', '/admin/people', '/admin/people/new', `/admin/people/${admin.id}`, '/admin/applications', '/admin/applications/new',
      '/admin/applications/new?kind=machine', `/admin/applications/${client.client_id}`, '/admin/roles', `/admin/roles/${role.id}`,
      `/admin/roles/resources/${resource.id}`, '/admin/audit', '/admin/keys']) {
      expect((await page.goto(`${app.url}${path}`))!.status(), path).toBe(200);
      found.push(...(await seriousViolations(page)).map((violation) => `${path}: ${violation}`));
    }
    expect(found).toEqual([]);
    await context.close();
  });
});
