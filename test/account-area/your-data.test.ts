// The account area's Your data page in Chromium: downloading everything held about the person as
// one JSON file (no secret in it, audited, never cached), and deleting the account after a fresh
// sign-in and typing its address: everything goes, applications are owed a back-channel logout,
// a confirmation is mailed, the audit log keeps the events without personal data; the refusals;
// and the audit log's trigger, which lets nothing else change an event.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageAccountSignIn, makePerson, openAccount, startAccountArea, type AccountFixture, type Person } from '../helpers/account-area.ts';
import { freshCode, makeAdmin, seriousViolations } from '../helpers/console.ts';
import { openSignIn } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { registerClient, signInForTokens, submitLogin, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

const OFFLINE = { scope: 'openid email profile offline_access', prompt: 'consent' };

let fixture: AccountFixture;
let app: TestApp;
let notes: TestClient;
/** The application's back-channel logout endpoint: the claims of each logout token posted to it. */
let receiver: http.Server;
const logoutTokens: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) logoutTokens.push(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>);
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  ({ app } = fixture = await startAccountArea());
  notes = await registerClient(app, { name: 'Notes' });
  await app.services.clients.updateClient(notes.clientId, { backchannelLogoutUri: `http://localhost:${(receiver.address() as AddressInfo).port}/backchannel` });
});
afterAll(async () => {
  await fixture?.close();
  receiver?.close();
});

const knex = () => app.services.db.knex;
const accountOf = (id: string) => knex()('accounts').where({ id }).first();

/** Sets up an authenticator app for the person (after they signed in to applications without one). */
async function addTotp(person: Person): Promise<void> {
  const account = (await app.services.queries.accounts.maybeFindAccountById(person.id))!;
  const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
  person.recoveryCodes = await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await freshCode(enrolment.secret)) ?? [];
  person.totpSecret = enrolment.secret;
}

/** The first mail to `address` whose subject has `words` (others, like a factor's notice, are passed over). */
async function mailAbout(address: string, words: string) {
  for (let tries = 0; tries < 5; tries += 1) {
    const mail = await fixture.sink.next(address);
    if (mail.subject?.includes(words)) return mail;
  }
  throw new Error(`no mail about "${words}" to ${address}`);
}

/** A failed sign-in with the wrong password from a browser of its own. */
async function failSignIn(person: Person, userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0') {
  const session = new HttpSession({ 'user-agent': userAgent });
  const { page } = await openSignIn(app, fixture.client, session);
  expect((await submitLogin(session, app, page, person.email, 'certainly not the password')).status).toBe(401);
}

const deleteForm = (page: Page) => ({
  address: page.getByLabel('To confirm, type your email address'),
  button: page.getByRole('button', { name: 'Delete my account' }),
});

describe('account area: your data', () => {
  it('downloads everything held about the person as one JSON file, without a secret, audited and never cached', async () => {
    const person = await makePerson(app);
    const { tokens } = await signInForTokens(app, notes, person, { params: OFFLINE });
    await failSignIn(person);
    await addTotp(person);
    const page = await openAccount(fixture.browser, app, person, '/account/data');
    expect(await seriousViolations(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download your data' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^account-data-\d{4}-\d{2}-\d{2}\.json$/);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    const data = JSON.parse(text);
    expect(Object.keys(data)).toEqual(['format', 'issuer', 'generated_at', 'profile', 'emails', 'signup', 'roles', 'second_factors', 'sessions', 'applications', 'activity']);
    expect(data.profile).toMatchObject({ id: person.id, email: person.email, name: 'Ada Admin', email_verified: true, has_password: true });
    expect(data.profile).not.toHaveProperty('password_hash');
    expect(data.emails).toEqual([{ address: person.email, verified: true, primary: true }]);
    expect(data.signup).toMatchObject({ method: 'admin' });
    expect(data.second_factors).toMatchObject({ totp: { since: expect.any(String) }, passkeys: [], recovery_codes_left: 10 });
    expect(data.sessions.length).toBeGreaterThanOrEqual(2); // the application's sign-in and this browser's
    expect(data.sessions.every((session: { ip: string }) => session.ip === '127.0.0.1')).toBe(true);
    expect(data.applications).toEqual([expect.objectContaining({ client_id: notes.clientId, name: 'Notes', scopes: ['email', 'offline_access', 'openid', 'profile'], last_used_at: expect.any(String) })]);
    const types = data.activity.map((event: { type: string }) => event.type);
    expect(types[0]).toBe('account.created'); // oldest first
    expect(types).toEqual(expect.arrayContaining(['sign_in.succeeded', 'consent.given', 'sign_in.failed', 'factor.added']));
    expect(data.activity.find((event: { type: string }) => event.type === 'sign_in.failed')).toMatchObject({ by: 'anonymous', ip: '127.0.0.1', user_agent: expect.stringContaining('Firefox/133.0') });

    // No secret: not the password hash, the authenticator secret (plain or sealed), a recovery code or its hash, a token.
    const account = await accountOf(person.id);
    const [factor] = await knex()('totp_factors').where({ account_id: person.id });
    const codeHashes = await knex()('recovery_codes').where({ account_id: person.id }).pluck('code_hash');
    for (const secret of [account.password_hash, person.totpSecret, factor.secret_sealed, ...codeHashes, ...person.recoveryCodes, tokens.refresh_token, tokens.access_token]) {
      expect(text.includes(secret), 'a secret in the export').toBe(false);
    }
    const [event] = await knex()('audit_events').where({ subject_id: person.id, type: 'account.exported' });
    expect(event).toMatchObject({ actor_type: 'account', actor_id: person.id, details: { by: 'self' } });

    // A POST with the page's CSRF token; without it (another site setting it off), nothing.
    expect((await page.context().request.post(`${app.url}/account/data/export`, { maxRedirects: 0 })).status()).toBe(403);
    const csrf = await page.locator('form[action="/account/data/export"] input[name="_csrf"]').inputValue();
    const answer = await page.context().request.post(`${app.url}/account/data/export`, { form: { _csrf: csrf }, maxRedirects: 0 });
    expect(answer.status()).toBe(200);
    expect(answer.headers()['cache-control']).toBe('no-store');
    expect(answer.headers()['content-disposition']).toMatch(/^attachment; filename="account-data-[\d-]+\.json"$/);
    expect(answer.headers()['content-type']).toMatch(/^application\/json/);

    // A sign-in older than 5 minutes downloads nothing: sign in again first.
    await ageAccountSignIn(app, page, 600);
    const before = (await knex()('audit_events').where({ subject_id: person.id, type: 'account.exported' })).length;
    await page.getByRole('button', { name: 'Download your data' }).click();
    await page.waitForURL((url) => url.pathname === '/account/sign-in-again');
    expect(new URL(page.url()).searchParams.get('return')).toBe('/account/data');
    expect(await knex()('audit_events').where({ subject_id: person.id, type: 'account.exported' })).toHaveLength(before);
    await page.context().close();
  });

  it('deletes the account after a fresh sign-in and the typed address: everything goes, applications are told, the log keeps no personal data', async () => {
    const person = await makePerson(app);
    const { tokens } = await signInForTokens(app, notes, person, { params: OFFLINE });
    await failSignIn(person);
    await addTotp(person);
    // Someone tried the address before it had an account: the failure names it, and no subject.
    await app.services.queries.auditEvents.insertAuditEvent({
      type: 'sign_in.failed', actor_type: 'anonymous', actor_id: null, subject_id: null, client_id: null, ip: '198.51.100.4', user_agent: 'curl/8', request_id: null,
      details: { method: 'password', reason: 'unknown_account', email: person.email.toUpperCase() },
    });
    // An event about the person that carries a personal detail (none does today; one may): the detail goes, the rest stays.
    await app.services.queries.auditEvents.insertAuditEvent({
      type: 'account.updated', actor_type: 'account', actor_id: person.id, subject_id: person.id, client_id: null, ip: '192.0.2.1', user_agent: 'x', request_id: 'r1',
      details: { fields: ['name'], name: 'Ada Admin' },
    });
    const page = await openAccount(fixture.browser, app, person, '/account/data');
    const eventsBefore = (await knex()('audit_events').where({ subject_id: person.id })).length;
    const started = new Date(Date.now() - 1000);

    const form = deleteForm(page);
    await form.address.fill(person.email.toUpperCase()); // any letter case
    await form.button.click();
    await page.getByRole('heading', { name: 'Account deleted' }).waitFor();
    expect(await page.getByText('Your account was deleted, and you were signed out everywhere.').isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    // Gone: the account, its factors, sessions, grants, tokens and consents.
    expect(await accountOf(person.id)).toBeUndefined();
    for (const table of ['totp_factors', 'recovery_codes', 'consents', 'webauthn_credentials']) expect(await knex()(table).where({ account_id: person.id }), table).toEqual([]);
    expect(await knex()('oidc_payloads').where({ account_id: person.id })).toEqual([]);
    expect((await tokenRequest(app, notes, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).body.error).toBe('invalid_grant');
    const owed = await knex()('backchannel_logouts').where({ account_id: person.id, client_id: notes.clientId }).where('created_at', '>=', started);
    expect(owed.length).toBeGreaterThan(0);
    // ... and delivered: the application hears that the person signed out.
    await expect.poll(() => logoutTokens.filter((claims) => claims.sub === person.id).length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(logoutTokens.find((claims) => claims.sub === person.id)).toMatchObject({ aud: notes.clientId, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });

    // The log: nothing names the account any more; its events are a pseudonym's, without IP, browser or address.
    expect(await knex()('audit_events').where({ subject_id: person.id })).toEqual([]);
    expect(await knex()('audit_events').where({ actor_id: person.id })).toEqual([]);
    const [deleted] = await knex()('audit_events').where({ type: 'account.deleted' }).orderBy('id', 'desc').limit(1);
    const pseudonym = deleted.subject_id;
    expect(pseudonym).not.toBe(person.id);
    expect(deleted).toMatchObject({ actor_type: 'account', actor_id: pseudonym, ip: null, user_agent: null, details: { by: 'self' } });
    const kept = await knex()('audit_events').where({ subject_id: pseudonym });
    expect(kept).toHaveLength(eventsBefore + 1);
    expect(kept.map((event) => event.type)).toEqual(expect.arrayContaining(['account.created', 'sign_in.succeeded', 'sign_in.failed', 'consent.given', 'factor.added', 'account.deleted']));
    for (const event of kept) expect(event, event.type).toMatchObject({ ip: null, user_agent: null });
    expect(JSON.stringify(kept).toLowerCase()).not.toContain(person.email.toLowerCase());
    expect(kept.find((event) => event.request_id === 'r1')).toMatchObject({ type: 'account.updated', actor_id: pseudonym, details: { fields: ['name'] } });
    expect(kept.find((event) => event.request_id === 'r1').details).not.toHaveProperty('name');
    const [tried] = await knex()('audit_events').where({ type: 'sign_in.failed', ip: '198.51.100.4' });
    expect(tried.details).toEqual({ method: 'password', reason: 'unknown_account' });

    // The confirmation, to the address that was the account's.
    const mail = await mailAbout(person.email, 'was deleted');
    expect(mail.text).toContain('As you asked, your');
    // This browser is signed out: the account area asks for a sign-in.
    await page.goto(`${app.url}/account`);
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    await page.context().close();
  });

  it('refuses a deletion with another address, without the form\'s CSRF token or with a stale sign-in, changing nothing', async () => {
    const person = await makePerson(app);
    const page = await openAccount(fixture.browser, app, person, '/account/data');
    const form = deleteForm(page);

    await form.address.fill(`not-${person.email}`);
    await form.button.click();
    await expect(page.locator('#confirm-error').innerText()).resolves.toContain('Type the email address of your account');
    expect(await form.address.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await accountOf(person.id)).toBeTruthy();

    const forged = await page.context().request.post(`${app.url}/account/data/delete`, { form: { confirm: person.email }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await accountOf(person.id)).toBeTruthy();

    await ageAccountSignIn(app, page, 600);
    await form.address.fill(person.email);
    await form.button.click();
    await page.waitForURL((url) => url.pathname === '/account/sign-in-again');
    expect(await accountOf(person.id)).toBeTruthy();
    expect(await knex()('audit_events').where({ subject_id: person.id, type: 'account.deleted' })).toEqual([]);
    await page.context().close();
  });

  it('does not let the only administrator delete themselves, until there is another', async () => {
    const admin = await makeAdmin(app, { withSecondFactor: false });
    const page = await openAccount(fixture.browser, app, admin, '/account/data');
    const form = deleteForm(page);
    await form.address.fill(admin.email);
    await form.button.click();
    await expect(page.locator('.alert').innerText()).resolves.toContain('You are the only administrator');
    expect(await accountOf(admin.id)).toBeTruthy();

    await makeAdmin(app, { withSecondFactor: false });
    await form.address.fill(admin.email);
    await form.button.click();
    await page.getByRole('heading', { name: 'Account deleted' }).waitFor();
    expect(await accountOf(admin.id)).toBeUndefined();
    await page.context().close();
  });

  it('keeps the audit log append-only: only a pseudonymising update, in a transaction that named the pseudonym, changes an event', async () => {
    const person = await makePerson(app);
    const [event] = await knex()('audit_events').where({ subject_id: person.id, type: 'account.created' });
    await expect(knex()('audit_events').where({ id: event.id }).update({ ip: null })).rejects.toThrow(/never changed/);
    const pseudonym = crypto.randomUUID();
    const inTransaction = (change: Record<string, unknown>) => knex().transaction(async (trx) => {
      await trx.raw(`select set_config('latchkey.pseudonym', ?, true)`, [pseudonym]);
      return trx('audit_events').where({ id: event.id }).update(change);
    });
    for (const change of [{ type: 'account.deleted' }, { subject_id: crypto.randomUUID() }, { ip: '203.0.113.9' }, { client_id: 'someone' }, { details: JSON.stringify({ method: 'made-up' }) }, { occurred_at: new Date(0) }]) {
      await expect(inTransaction(change), JSON.stringify(change)).rejects.toThrow(/never changed/);
    }
    // What deleting does passes (and is rolled back here).
    await expect(knex().transaction(async (trx) => {
      await trx.raw(`select set_config('latchkey.pseudonym', ?, true)`, [pseudonym]);
      expect(await trx('audit_events').where({ id: event.id }).update({ subject_id: pseudonym, actor_id: pseudonym, ip: null, user_agent: null, details: JSON.stringify({}) })).toBe(1);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await knex()('audit_events').where({ id: event.id }).first()).toMatchObject({ subject_id: person.id });
  });
});
