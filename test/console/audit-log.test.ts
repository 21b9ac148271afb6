// The console's audit log in Chromium: events newest first with who, about whom, which
// application and the details on demand; each filter narrowing the list as the database says it
// should; pages of older events; the export of a filter as JSON lines; a filter that cannot be
// read said so, not a 500; and what an event carries shown as text, never as markup.
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { makeAdmin, openConsole, seriousViolations, signInOnPage, type ConsoleAdmin } from '../helpers/console.ts';
import { openSignIn, startAppWithMail } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { createUser, registerClient, signInForTokens, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let other: TestClient;
let close: () => Promise<void>;
let browser: Browser;
let admin: ConsoleAdmin;
let user: { id: string; email: string; password: string };
let page: Page;
const problems: string[] = [];
const knex = () => app.services.db.knex;

beforeAll(async () => {
  [{ app, client, close }, browser] = await Promise.all([startAppWithMail(), launchBrowser()]);
  // Two events of a quiet January long ago, written with their time (events are never changed).
  await knex()('audit_events').insert([
    { type: 'role.created', actor_type: 'cli', occurred_at: new Date('2020-01-15T10:00:00Z'), details: JSON.stringify({ role: 'january' }) },
    { type: 'role.created', actor_type: 'cli', occurred_at: new Date('2020-01-16T10:00:00Z'), details: JSON.stringify({ role: 'later' }) },
  ]);
  admin = await makeAdmin(app);
  other = await registerClient(app, { name: 'Other RP' });
  user = await createUser(app);
  await signInForTokens(app, client, user);
  await signInForTokens(app, other, user);
  const session = new HttpSession();
  const { page: signIn } = await openSignIn(app, client, session);
  await submitLogin(session, app, signIn, user.email, 'not the password at all');
  page = await openConsole(browser, app, admin, problems);
  // The newest event: the admin changed the person.
  await app.services.audit.record({ type: 'account.updated', subjectId: user.id, actor: { type: 'account', id: admin.id }, details: { fields: ['name'] } });
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await close?.();
});

const listedIds = () => page.locator('[data-results] tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.eventId));
const idsWhere = async (where: (query: ReturnType<ReturnType<typeof knex>>) => unknown, limit = 50) => {
  const query = knex()('audit_events').orderBy('id', 'desc').limit(limit);
  where(query);
  return (await query.pluck('id')).map(String);
};
const filter = async (fill: () => Promise<unknown>) => {
  await page.goto(`${app.url}/admin/audit`);
  await fill();
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await page.waitForLoadState();
};

describe('console: audit log', () => {
  it('lists events newest first, with who, about whom and where, and each one\'s details on demand', async () => {
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    expect(await listedIds()).toEqual(await idsWhere(() => undefined));
    const rows = page.locator('[data-results] tbody tr');
    const newest = rows.first();
    expect(await newest.innerText()).toContain('account.updated');
    expect(await newest.getByRole('link', { name: admin.email }).getAttribute('href')).toBe(`/admin/people/${admin.id}`);
    expect(await newest.getByRole('link', { name: user.email }).getAttribute('href')).toBe(`/admin/people/${user.id}`);
    const signedIn = rows.filter({ hasText: 'sign_in.succeeded' }).filter({ hasText: 'Other RP' });
    expect(await signedIn.count()).toBe(1);
    expect(await signedIn.getByRole('link', { name: 'Other RP' }).getAttribute('href')).toBe(`/admin/applications/${other.clientId}`);
    expect(await signedIn.innerText()).toContain('127.0.0.1');

    const failed = rows.filter({ hasText: 'sign_in.failed' });
    expect(await failed.innerText()).toContain('Nobody proven');
    const details = failed.locator('pre');
    expect(await details.isVisible()).toBe(false);
    await failed.getByText('Show', { exact: true }).click();
    expect(JSON.parse(await details.innerText())).toEqual({ method: 'password', reason: 'wrong_password' });
    expect(await failed.innerText()).toContain('Browser'); // the user agent, with the request id
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('narrows the list by type, person, who acted, application and period', async () => {
    await filter(() => page.getByLabel('Type').selectOption('sign_in.failed'));
    expect(await listedIds()).toEqual(await idsWhere((query) => query.where({ type: 'sign_in.failed' })));
    expect(await listedIds()).toHaveLength(1);

    await filter(() => page.getByLabel('About (address or account id)').fill(user.email));
    const about = await idsWhere((query) => query.where({ subject_id: user.id }));
    expect(about.length).toBeGreaterThan(4); // sign-ins, consents, the failure, the change
    expect(await listedIds()).toEqual(about);
    // The person's page links here by id, and the form shows it again.
    await page.goto(`${app.url}/admin/audit?subject=${user.id}`);
    expect(await listedIds()).toEqual(about);
    expect(await page.getByLabel('About (address or account id)').inputValue()).toBe(user.id);

    await filter(() => page.getByLabel('Done by (address or id)').fill(admin.email.toUpperCase()));
    expect(await listedIds()).toEqual(await idsWhere((query) => query.where({ actor_id: admin.id })));

    await filter(() => page.getByLabel('Application (client id)').fill(other.clientId));
    const ofOther = await idsWhere((query) => query.where({ client_id: other.clientId }));
    expect(ofOther.length).toBeGreaterThanOrEqual(3); // made, the sign-in, the consent
    expect(await listedIds()).toEqual(ofOther);

    await filter(async () => {
      await page.getByLabel('From (UTC)').fill('2020-01-15T00:00');
      await page.getByLabel('To (UTC, included)').fill('2020-01-15T23:59');
    });
    const january = await listedIds();
    expect(january).toHaveLength(1);
    expect(await page.locator('[data-results] tbody').textContent()).toContain('january');
    // Type and period together; a day alone (typed into the address) means the whole day.
    await page.goto(`${app.url}/admin/audit?type=role.created&from=2020-01-15&to=2020-01-16`);
    expect((await listedIds()).length).toBe(2);
    expect(await page.getByLabel('To (UTC, included)').inputValue()).toBe('2020-01-16T23:59');
    expect(problems).toEqual([]);
  });

  it('pages back through older events, and exports every event of a filter as JSON lines', async () => {
    const bulk = Array.from({ length: 1100 }, (_, index) => ({ type: 'role.granted', actor_type: 'system', subject_id: user.id, details: JSON.stringify({ role: `bulk-${index}` }) }));
    await knex()('audit_events').insert(bulk);
    await filter(() => page.getByLabel('Type').selectOption('role.granted'));
    const first = await listedIds();
    expect(first).toHaveLength(50);
    await page.getByRole('link', { name: 'Older events' }).click();
    const second = await listedIds();
    expect(second).toEqual(await idsWhere((query) => query.where({ type: 'role.granted' }).where('id', '<', first.at(-1)!)));
    await page.getByRole('link', { name: 'Newest events' }).click();
    expect(await listedIds()).toEqual(first);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export these events as JSON lines' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-events-.*\.jsonl$/);
    const lines = (await fs.readFile((await download.path())!, 'utf8')).split('\n');
    expect(lines.pop()).toBe(''); // every line ends with a newline
    const events = lines.map((line) => JSON.parse(line));
    expect(events.length).toBe(1100); // more than one page of the library's reading
    expect(events.every((event) => event.type === 'role.granted')).toBe(true);
    expect(events.map((event) => event.id)).toEqual(await idsWhere((query) => query.where({ type: 'role.granted' }), 5000));
    expect(events[0]).toMatchObject({ actor: { type: 'system', id: null }, subject_id: user.id, details: { role: 'bulk-1099' } });

    // The export stops at its bound (100,000 events), whatever the size of the pages it reads.
    const capped = [];
    for await (const events of app.services.audit.eachPage({ types: ['role.granted'] }, { max: 5, pageSize: 2 })) capped.push(...events);
    expect(capped.map((event) => event.id)).toEqual(await idsWhere((query) => query.where({ type: 'role.granted' }), 5));

    const exported = await page.context().request.get(`${app.url}/admin/audit/export?client=${other.clientId}&type=sign_in.succeeded`);
    expect(exported.headers()['content-type']).toMatch(/^application\/x-ndjson/);
    expect(exported.headers()['content-disposition']).toMatch(/^attachment; filename="audit-events-.*\.jsonl"$/);
    expect(exported.headers()['cache-control']).toBe('no-store');
    const signIns = (await exported.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(signIns).toEqual([expect.objectContaining({ type: 'sign_in.succeeded', client_id: other.clientId, subject_id: user.id })]);
  });

  it('says what is wrong with a filter it cannot read, lists nothing and exports nothing', async () => {
    const refused = async (query: string, field: string, words: string) => {
      const answer = await page.goto(`${app.url}/admin/audit?${query}`);
      expect(answer!.status(), query).toBe(400);
      expect(await page.locator(`#${field}-error`).innerText(), query).toContain(words);
      expect(await page.locator(`#${field}`).getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByText('Nothing is listed until the filter can be read.').isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: 'Export these events as JSON lines' }).count()).toBe(0);
    };
    await refused('from=yesterday', 'from', '“yesterday” is not a time: give the start as a date and time');
    expect(await seriousViolations(page)).toEqual([]);
    await refused('to=2020-02-30T10:00', 'to', '“2020-02-30T10:00” is not a time: give the end as a date and time');
    await refused('type=sign_in.maybe', 'type', 'There is no event type “sign_in.maybe”');
    await refused(`subject=${encodeURIComponent('nobody@example.test')}`, 'subject', 'No account has this address or id');
    await refused('subject=bob', 'subject', 'No account has this address or id');
    await refused('actor=nobody@example.test', 'actor', 'No account has this address');
    await refused('from=2020-01-16T00:00&to=2020-01-15T00:00', 'to', 'The end of the period comes before its start');

    const exported = await page.context().request.get(`${app.url}/admin/audit/export?from=yesterday`);
    expect(exported.status()).toBe(400);
    expect(exported.headers()['content-type']).toMatch(/^text\/html/);
    // A cursor nobody made is the first page, not an error.
    expect((await page.goto(`${app.url}/admin/audit?before=bogus`))!.status()).toBe(200);
    expect(problems).toEqual([]);
  });

  it('shows what an event carries as text, never as markup, and gives the log to admins only', async () => {
    await app.services.audit.record({ type: 'account.updated', subjectId: user.id, details: { name: '<img src=x onerror="document.title=\'hacked\'">' } });
    await page.goto(`${app.url}/admin/audit`);
    const newest = page.locator('[data-results] tbody tr').first();
    await newest.getByText('Show', { exact: true }).click();
    expect(await newest.locator('pre').innerText()).toContain('<img src=x onerror=');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.title()).not.toContain('hacked');

    const stranger = await browser.newContext();
    const answer = await stranger.request.get(`${app.url}/admin/audit/export`, { maxRedirects: 0 });
    expect(answer.status()).toBe(303);
    expect(new URL(answer.headers().location!, app.url).pathname).toBe('/auth');
    expect(await answer.text()).not.toContain('sign_in');
    const person = await makeAdmin(app, { admin: false });
    const personPage = await stranger.newPage();
    await personPage.goto(`${app.url}/admin/audit`);
    await signInOnPage(personPage, person);
    await personPage.getByRole('heading', { name: 'Admins only' }).waitFor();
    const refused = await stranger.request.get(`${app.url}/admin/audit/export`, { maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).not.toContain('sign_in');
    await stranger.close();
  });
});
