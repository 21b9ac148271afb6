// The account area's Activity page in Chromium: the person's own events in words, newest first,
// with time, IP and browser, who acted when it was not them, never what is for administrators
// only (why a sign-in failed), 25 a page; nobody else's events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePerson, openAccount, startAccountArea, type AccountFixture } from '../helpers/account-area.ts';
import { seriousViolations } from '../helpers/console.ts';
import { openSignIn } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { signInForTokens, submitLogin } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

let fixture: AccountFixture;
let app: TestApp;

beforeAll(async () => ({ app } = fixture = await startAccountArea()));
afterAll(() => fixture?.close());

const knex = () => app.services.db.knex;
const entryTexts = (page: import('playwright-core').Page) => page.locator('.activity > li').allInnerTexts();

describe('account area: activity', () => {
  it('shows sign-ins, a failed attempt and an administrator\'s change in words, newest first, with IP and browser', async () => {
    const person = await makePerson(app);
    const elsewhere = new HttpSession({ 'user-agent': FIREFOX_WINDOWS });
    const { page: login } = await openSignIn(app, fixture.client, elsewhere);
    const refused = await submitLogin(elsewhere, app, login, person.email, 'not the password at all');
    expect(refused.status).toBe(401);
    await signInForTokens(app, fixture.client, person, { session: elsewhere });
    const ended = await app.cli('users', 'end-sessions', person.email);
    expect(ended.code, ended.stderr).toBe(0);

    const problems: string[] = [];
    const page = await openAccount(fixture.browser, app, person, '/account/activity', problems);
    expect(await seriousViolations(page)).toEqual([]);
    const entries = await entryTexts(page);
    expect(entries[0]).toContain('Signed in to your account pages with password'); // this very sign-in, newest
    expect(entries[0]).toContain('IP 127.0.0.1');
    expect(entries[0]).toMatch(/Chrom(e|ium)/);

    const find = (words: string) => entries.find((entry) => entry.includes(words));
    expect(find('Signed out everywhere')).toContain('by an administrator');
    expect(find('Signed in to Test RP with password')).toContain('Firefox 128 on Windows 10');
    expect(find('Allowed Test RP: Sign you in with your account')).toBeTruthy();
    const failed = find('Failed sign-in with password');
    expect(failed).toContain('IP 127.0.0.1 · Firefox 128 on Windows 10');
    expect(failed).not.toContain('by an administrator');
    expect(entries.at(-1)).toContain('Account created');
    const shown = await page.locator('main').innerText();
    expect(shown).not.toMatch(/wrong_password|wrong password/i); // why it failed is for administrators
    const order = ['Signed out everywhere', 'Signed in to Test RP', 'Failed sign-in', 'Account created'].map((words) => entries.findIndex((entry) => entry.includes(words)));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    // The time is the event's, in the page's words.
    const [newest] = await knex()('audit_events').where({ subject_id: person.id }).orderBy('id', 'desc').limit(1);
    expect(await page.locator('.activity > li time').first().getAttribute('datetime')).toBe(newest.occurred_at.toISOString());
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('pages through events 25 at a time, says something of a kind it has no words for, and shows nobody else\'s', async () => {
    const person = await makePerson(app);
    const other = await makePerson(app);
    const row = (subjectId: string, type: string) => ({
      type, actor_type: 'account', actor_id: subjectId, subject_id: subjectId, client_id: null, ip: '192.0.2.7', user_agent: null, request_id: null, details: { fields: ['name'] },
    });
    await app.services.queries.auditEvents.insertAuditEvents([
      row(person.id, 'made.up'),
      ...Array.from({ length: 30 }, () => row(person.id, 'account.updated')),
      row(other.id, 'role.granted'),
    ]);

    const page = await openAccount(fixture.browser, app, person, '/account/activity');
    const first = await entryTexts(page);
    expect(first).toHaveLength(25);
    expect(first[0]).toContain('Signed in to your account pages');
    expect(first.slice(1).every((entry) => entry.includes('Profile changed') && entry.includes('IP 192.0.2.7'))).toBe(true);
    expect(await page.getByRole('link', { name: 'Newest events' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Older events' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    const second = await entryTexts(page);
    expect(second.slice(0, 6).every((entry) => entry.includes('Profile changed'))).toBe(true);
    expect(second[6]).toContain('Other event: made.up');
    expect(second.at(-1)).toContain('Account created');
    expect(second.join('\n')).not.toContain('Given the role'); // the other person's event
    expect(first.length + second.length).toBe(Number((await knex()('audit_events').where({ subject_id: person.id }).count('* as n'))[0]!.n));
    expect(await page.getByRole('link', { name: 'Older events' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Newest events' }).click();
    expect(await entryTexts(page)).toEqual(first);
    // A cursor the page did not make shows the newest events.
    await page.goto(`${app.url}/account/activity?before=nonsense`);
    expect(await entryTexts(page)).toEqual(first);
    await page.context().close();
  });
});
