// The account area's Apps page in Chromium: each application the person allowed, with its logo,
// what it may see in words, and first and last use; "Remove access" ending its grant, tokens and
// consent and owing it a back-channel logout; and the refusals (no CSRF token, a stale sign-in,
// an application the person never allowed, Latchkey's own areas).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageAccountSignIn, makePerson, openAccount, startAccountArea, type AccountFixture } from '../helpers/account-area.ts';
import { seriousViolations, signInOnPage } from '../helpers/console.ts';
import { registerClient, signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

const LOGO = 'https://logo.example/notes.svg';
const BACKCHANNEL = 'http://localhost:9/backchannel';
const OFFLINE = { scope: 'openid email profile offline_access', prompt: 'consent' };

let fixture: AccountFixture;
let app: TestApp;
let notes: TestClient;

beforeAll(async () => {
  ({ app } = fixture = await startAccountArea());
  notes = await registerClient(app, { name: 'Notes' });
  await app.services.clients.updateClient(notes.clientId, { logoUri: LOGO, backchannelLogoutUri: BACKCHANNEL });
});
afterAll(() => fixture?.close());

const knex = () => app.services.db.knex;
const consentsOf = (accountId: string) => knex()('consents').where({ account_id: accountId }).pluck('client_id');
const csrfOn = (page: Page) => page.locator('input[name=_csrf]').first().inputValue();
const rowOf = (page: Page, name: string) => page.locator('.apps > li').filter({ hasText: name });

describe('account area: apps', () => {
  it('lists each application the person allowed with its logo, what it may see in words, and first and last use', async () => {
    const person = await makePerson(app);
    const before = new Date();
    await signInForTokens(app, notes, person, { params: OFFLINE });
    await signInForTokens(app, fixture.client, person, { params: { scope: 'openid email' } });
    const page = await openAccount(fixture.browser, app, person, '/account/apps');

    const logoRequests: Array<Record<string, string>> = [];
    await page.route('https://logo.example/**', (route) => {
      logoRequests.push(route.request().headers());
      return route.fulfill({ contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>' });
    });
    const response = await page.reload();
    expect(response!.headers()['content-security-policy']).toMatch(/img-src [^;]*https:/); // the CSP lets an https logo load
    expect(await seriousViolations(page)).toEqual([]);

    // Two applications, by name; Latchkey's own account pages (signed in to just now) are not one of them.
    expect(await page.locator('.apps > li strong').allInnerTexts()).toEqual(['Notes', 'Test RP']);
    const row = await rowOf(page, 'Notes').innerText();
    for (const words of ['Sign you in with your account', 'See your name', 'See your email address', 'Keep access while you are not using it']) expect(row).toContain(words);
    expect(row).toContain(`Allowed since ${new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(before)}`);
    expect(row).toContain('last used');
    expect(await rowOf(page, 'Test RP').innerText()).not.toContain('See your name'); // it asked for less

    const logo = rowOf(page, 'Notes').locator('img');
    expect(await logo.getAttribute('src')).toBe(LOGO);
    expect(await logo.getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(await logo.getAttribute('alt')).toBe(''); // the name beside it says what it is
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.apps img')].every((img) => img.complete && img.naturalWidth > 0));
    expect(logoRequests.length).toBeGreaterThan(0);
    expect(logoRequests.every((headers) => headers.referer === undefined)).toBe(true); // the logo's host does not learn where it was shown

    const [listed] = (await app.services.ownApplications.list(person.id)).filter((each) => each.clientId === notes.clientId);
    expect(listed!.allowedAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(listed!.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(listed!.allowedAt.getTime());
    await page.context().close();
  });

  it('shows no logo that is not https', async () => {
    const person = await makePerson(app);
    const plain = await registerClient(app, { name: 'Plain' });
    // No door registers such a logo any more; an older row may still hold one.
    await knex()('clients').where({ client_id: plain.clientId }).update({ metadata: knex().raw(`metadata || '{"logo_uri": "http://logo.example/plain.png"}'::jsonb`) });
    await signInForTokens(app, plain, person);
    expect((await app.services.ownApplications.list(person.id))[0]).toMatchObject({ name: 'Plain', logoUri: null });
    const page = await openAccount(fixture.browser, app, person, '/account/apps');
    expect(await rowOf(page, 'Plain').locator('img').count()).toBe(0);
    await page.context().close();
  });

  it('removes an application\'s access: consent, grant and tokens end, and it is owed a back-channel logout', async () => {
    const person = await makePerson(app);
    const { tokens } = await signInForTokens(app, notes, person, { params: OFFLINE });
    expect(tokens.refresh_token).toBeTruthy();
    const page = await openAccount(fixture.browser, app, person, '/account/apps');

    await page.getByRole('button', { name: 'Remove access of Notes' }).click();
    await page.getByText('Access removed: the application was signed out').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.getByText('You have not allowed any application yet.').isVisible()).toBe(true);

    expect(await consentsOf(person.id)).toEqual([]);
    const refreshed = await tokenRequest(app, notes, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    expect((await tokenRequest(app, notes, { token: tokens.access_token }, '/token/introspection')).body.active).toBe(false);
    expect(await knex()('oidc_payloads').where({ account_id: person.id, client_id: notes.clientId })).toEqual([]);
    expect(await knex()('backchannel_logouts').where({ account_id: person.id, client_id: notes.clientId }).pluck('client_id')).not.toEqual([]);
    const [event] = await knex()('audit_events').where({ subject_id: person.id, type: 'consent.revoked' });
    expect(event).toMatchObject({ client_id: notes.clientId, actor_type: 'account', actor_id: person.id, ip: '127.0.0.1' });

    // Using it again asks again.
    const again = await signInForTokens(app, notes, person);
    expect(again.tokens.access_token).toBeTruthy();
    expect(await consentsOf(person.id)).toEqual([notes.clientId]);
    await page.context().close();
  });

  it('refuses a removal without the form\'s CSRF token, or with a sign-in older than 5 minutes, changing nothing', async () => {
    const person = await makePerson(app);
    await signInForTokens(app, notes, person);
    const page = await openAccount(fixture.browser, app, person, '/account/apps');

    const forged = await page.context().request.post(`${app.url}/account/apps/${notes.clientId}/remove`, { form: {}, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await consentsOf(person.id)).toEqual([notes.clientId]);

    await ageAccountSignIn(app, page, 600);
    await page.getByRole('button', { name: 'Remove access of Notes' }).click();
    await page.waitForURL((url) => url.pathname === '/account/sign-in-again');
    expect(new URL(page.url()).searchParams.get('return')).toBe('/account/apps');
    expect(await consentsOf(person.id)).toEqual([notes.clientId]);
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signInOnPage(page, person);
    await page.waitForURL((url) => url.pathname === '/account/apps');
    await page.getByRole('button', { name: 'Remove access of Notes' }).click();
    await page.getByText('Access removed').waitFor();
    expect(await consentsOf(person.id)).toEqual([]);
    await page.context().close();
  });

  it('finds no application the person did not allow: another person\'s, an unknown one, Latchkey\'s own', async () => {
    const person = await makePerson(app);
    const other = await makePerson(app);
    await signInForTokens(app, notes, other);
    const page = await openAccount(fixture.browser, app, person, '/account/data'); // a page with a form (the apps page has none: nothing allowed)
    const csrf = await csrfOn(page);
    for (const clientId of [notes.clientId, 'no-such-client', 'latchkey-account', 'latchkey-admin']) {
      const refused = await page.context().request.post(`${app.url}/account/apps/${encodeURIComponent(clientId)}/remove`, { form: { _csrf: csrf }, maxRedirects: 0 });
      expect(refused.status(), clientId).toBe(404);
    }
    expect(await consentsOf(other.id)).toEqual([notes.clientId]);
    expect(await knex()('audit_events').where({ subject_id: person.id, type: 'consent.revoked' })).toEqual([]);
    await page.context().close();
  });
});
