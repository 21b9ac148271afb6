import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { openSignIn, startAppWithMail, submitForm } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { authorize, createUser, PASSWORD, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, client, close } = await startAppWithMail()));
afterAll(() => close?.());

const eventsOf = async (subjectId: string) => (await app.services.audit.list({ subjectId, limit: 100 })).events;

describe('the audit log', () => {
  it('records a sign-in through the pages with the application, IP, user agent, request id and methods', async () => {
    const user = await createUser(app);
    await authorize(app, client, user);
    const events = await eventsOf(user.id);
    const signIn = events.find((event) => event.type === 'sign_in.succeeded');
    expect(signIn).toMatchObject({
      actor: { type: 'account', id: user.id }, subject_id: user.id, client_id: client.clientId,
      ip: '127.0.0.1', details: { amr: ['pwd'], acr: expect.any(String) },
    });
    expect(signIn!.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(signIn!.user_agent).toBeTruthy();
    expect(events.map((event) => event.type)).toContain('consent.given');
    expect(events.find((event) => event.type === 'consent.given')!.details).toEqual({ scopes: ['email', 'openid', 'profile'] });
  });

  it('records failed sign-ins with the reason for admins, and never the password typed', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const wrong = 'not the password at all 123';
    const refused = await submitLogin(session, app, page, user.email, wrong);
    expect(refused.status).toBe(401);
    expect(refused.body).not.toContain('wrong_password'); // the reason is the admins', not the person's
    const stranger = `nobody.${Date.now()}@example.test`;
    await submitLogin(session, app, refused, stranger, wrong);

    const [failed] = (await eventsOf(user.id)).filter((event) => event.type === 'sign_in.failed');
    expect(failed).toMatchObject({ subject_id: user.id, details: { method: 'password', reason: 'wrong_password' }, ip: '127.0.0.1' });
    const unknown = (await app.services.audit.list({ types: ['sign_in.failed'], limit: 50 })).events.find((event) => event.details.email === stranger);
    expect(unknown).toMatchObject({ subject_id: null, actor: { type: 'anonymous' }, details: { reason: 'unknown_account' } });
    expect(failed!.actor).toEqual({ type: 'anonymous', id: null }); // a wrong guess is not the owner acting
    const everything = JSON.stringify(await app.services.db.knex('audit_events').select());
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(PASSWORD);
  });

  it('records second factors set up, passed and failed', async () => {
    const user = await createUser(app);
    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
    await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const challenge = await submitLogin(session, app, page, user.email, user.password);
    const code = await generate({ secret: enrolment.secret });
    const wrong = await submitForm(session, app, challenge, '/mfa/totp', { code: String((Number(code) + 1) % 1_000_000).padStart(6, '0') });
    expect(wrong.status).toBe(400);
    await submitForm(session, app, wrong, '/mfa/totp', { code });

    const types = (await eventsOf(user.id)).map((event) => event.type).reverse(); // oldest first
    expect(types).toEqual(expect.arrayContaining(['factor.added', 'second_factor.failed', 'second_factor.passed', 'sign_in.succeeded']));
    expect(types.indexOf('second_factor.failed')).toBeLessThan(types.indexOf('second_factor.passed'));
    expect(types.indexOf('second_factor.passed')).toBeLessThan(types.indexOf('sign_in.succeeded'));
  });

  it('names the CLI as the actor of what an admin does there, and lists it as JSON lines', async () => {
    const email = `cli.${Date.now()}@example.test`;
    expect((await app.cli('users', 'create', '--email', email, '--password', PASSWORD)).code).toBe(0);
    expect((await app.cli('users', 'disable', email)).code).toBe(0);
    expect((await app.cli('users', 'grant-admin', email)).code).toBe(0);
    const listed = await app.cli('audit', '--user', email, '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((event) => event.type)).toEqual(['role.granted', 'account.disabled', 'account.created']);
    for (const event of lines) expect(event.actor).toMatchObject({ type: 'cli', id: expect.any(String) });
    expect(lines[2].details).toMatchObject({ method: 'cli' });

    const onlyAccounts = await app.cli('audit', '--type', 'account', '--user', email, '--json');
    expect(onlyAccounts.stdout.trim().split('\n').map((line) => JSON.parse(line).type)).toEqual(['account.disabled', 'account.created']);
    const table = await app.cli('audit', '--user', email);
    expect(table.stdout).toMatch(/^TIME\s+TYPE\s+ACTOR/);
    expect(table.stdout).toContain('role.granted');
  });

  it('refuses a filter it does not know, clearly', async () => {
    const unknownType = await app.cli('audit', '--type', 'nonsense');
    expect(unknownType.code).toBe(2);
    expect(unknownType.stderr).toContain('no event type nonsense');
    const badTime = await app.cli('audit', '--since', 'yesterday');
    expect(badTime.code).toBe(2);
  });

  it('records nothing for a change that did not happen', async () => {
    const user = await createUser(app);
    const before = (await eventsOf(user.id)).length;
    const again = await app.cli('users', 'create', '--email', user.email, '--password', PASSWORD);
    expect(again.code).toBe(1);
    expect((await app.cli('users', 'enable', user.email)).code).toBe(0); // enabled already: no change
    expect(await eventsOf(user.id)).toHaveLength(before);
  });

  it('never changes an event, and sweeps events past the retention period', async () => {
    const { knex } = app.services.db;
    const [row] = await knex('audit_events').insert({ type: 'account.created', actor_type: 'system', occurred_at: new Date(Date.now() - 401 * 86_400_000) }).returning('id');
    await expect(knex('audit_events').where({ id: row.id }).update({ type: 'account.deleted' })).rejects.toThrow(/never changed/);
    expect(await app.services.audit.sweep()).toBeGreaterThanOrEqual(1);
    expect(await knex('audit_events').where({ id: row.id }).first()).toBeUndefined();
  });

  it('pages newest first with a cursor', async () => {
    const user = await createUser(app);
    for (const disabled of [true, false, true]) await app.services.accounts.setDisabled(user.id, disabled);
    const first = await app.services.audit.list({ subjectId: user.id, limit: 2 });
    expect(first.events.map((event) => event.type)).toEqual(['account.disabled', 'account.enabled']);
    const second = await app.services.audit.list({ subjectId: user.id, limit: 2, beforeId: first.next });
    expect(second.events.map((event) => event.type)).toEqual(['account.disabled', 'account.created']);
    expect(second.next).toBeUndefined();
  });
});

describe('the audit event types', () => {
  it('are each listed in README', async () => {
    const fs = await import('node:fs');
    const { AUDIT_EVENT_TYPES } = await import('../../src/libraries/audit/events.ts');
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [type, meaning] of Object.entries(AUDIT_EVENT_TYPES)) expect(readme).toContain(`| \`${type}\` | ${meaning} |`);
  });
});
