// The console's People pages in Chromium: find and filter people, page through them, see one
// person, and every action on them, each checked in the database, the mail sink and the audit log.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleAdmin, type ConsoleFixture, seriousViolations, startConsole } from '../helpers/console.ts';
import { linkIn, uniqueEmail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { signInForTokens, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let fixture: ConsoleFixture;
let app: TestApp, sink: MailSink, client: TestClient, admin: ConsoleAdmin, page: Page, problems: string[];

beforeAll(async () => ({ app, sink, client, admin, page, problems } = fixture = await startConsole()));
afterAll(() => fixture?.close());

const rows = () => page.locator('[data-results] tbody tr').allInnerTexts();
const accountOf = (id: string) => app.services.db.knex('accounts').where({ id }).first();

describe('console: people', () => {
  it('finds people by the start of their address or name, as the admin types, and filters them', async () => {
    const tag = `zed${Date.now()}`;
    const plain = await app.services.accountAdmin.create({ email: `${tag}.plain@example.test`, name: 'Plain Person', emailVerified: true, invite: false });
    const unverified = await app.services.accountAdmin.create({ email: `${tag}.new@example.test`, name: `${tag} Newcomer`, invite: false });
    const off = await app.services.accountAdmin.create({ email: `${tag}.off@example.test`, emailVerified: true, invite: false });
    await app.services.accounts.setDisabled(off.id, true);
    await app.services.roles.create({ name: `${tag}-editors` });
    await app.services.roles.grant(`${tag}-editors`, plain.id);

    await page.getByRole('link', { name: 'People', exact: true }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Email or name starts with').pressSequentially(tag, { delay: 10 }); // no button pressed: search as you type
    await page.waitForFunction((expected) => document.querySelectorAll('[data-results] tbody tr').length === expected, 3);
    expect(page.url()).toContain(`q=${tag}`);
    expect((await rows()).join('\n')).toContain(`${tag} Newcomer`); // the name matches too

    const only = async (choose: () => Promise<unknown>, expected: string[]) => {
      await choose();
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForLoadState();
      const found = await rows();
      expect(found.map((row) => row.split('\t')[0])).toEqual(expected);
    };
    await only(() => page.getByLabel('Role').selectOption(`${tag}-editors`), [plain.email]);
    await only(async () => { await page.getByLabel('Role').selectOption(''); await page.getByLabel('State').selectOption('disabled'); }, [off.email]);
    await only(() => page.getByLabel('State').selectOption('unverified'), [unverified.email]);
    await only(async () => { await page.getByLabel('State').selectOption(''); await page.getByLabel('Second factor').selectOption('with'); }, []);
    expect(await page.getByText('Nobody matches.').isVisible()).toBe(true);
    await page.getByLabel('Email or name starts with').fill(admin.email);
    await only(() => Promise.resolve(), [admin.email]);
  });

  it('pages through everyone, 25 at a time, newest first', async () => {
    const tag = `page${Date.now()}`;
    for (let i = 0; i < 27; i += 1) await app.services.accountAdmin.create({ email: `${tag}.${String(i).padStart(2, '0')}@example.test`, invite: false });
    await page.goto(`${app.url}/admin/people?q=${tag}`);
    const first = await rows();
    expect(first).toHaveLength(25);
    expect(first[0]).toContain(`${tag}.26@`);
    await page.getByRole('link', { name: 'Next page' }).click();
    const second = await rows();
    expect(second.map((row) => row.split('\t')[0])).toEqual([`${tag}.01@example.test`, `${tag}.00@example.test`]);
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    await page.getByRole('link', { name: 'First page' }).click();
    expect(await rows()).toEqual(first);
    // A cursor nobody made is an empty page, not an error.
    expect((await page.goto(`${app.url}/admin/people?cursor=bogus`))!.status()).toBe(200);
  });

  it('adds a person and mails them an invitation; an address that is taken is refused with the form kept', async () => {
    await page.goto(`${app.url}/admin/people`);
    await page.getByRole('link', { name: 'Add a person' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    const email = uniqueEmail('invited');
    await page.getByLabel('Email').fill(admin.email.toUpperCase());
    await page.getByLabel('Name').fill('Grace');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.locator('#email-error').innerText()).resolves.toBeTruthy();
    expect(await page.getByLabel('Name').inputValue()).toBe('Grace');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('The account was made and an invitation mailed.').waitFor();
    const invitation = await sink.next(email);
    expect(linkIn(invitation, '/password/reset')).toContain('token=');
    const made = await app.services.db.knex('accounts').where({ email }).first();
    expect(made).toMatchObject({ name: 'Grace', email_verified: false, signup_method: 'admin' });
    expect(new URL(page.url()).pathname).toBe(`/admin/people/${made.id}`);
    const [event] = await app.services.db.knex('audit_events').where({ subject_id: made.id, type: 'account.created' });
    expect(event).toMatchObject({ actor_type: 'account', actor_id: admin.id });
  });

  it('shows a person with their sessions, applications and events, and acts on them', async () => {
    const person = await app.services.accountAdmin.create({ email: uniqueEmail('acted'), password: 'correct horse battery staple', name: 'Lin', invite: false, emailVerified: true });
    await signInForTokens(app, client, { email: person.email, password: 'correct horse battery staple' });
    await page.goto(`${app.url}/admin/people/${person.id}`);
    expect(await seriousViolations(page)).toEqual([]);
    const main = await page.locator('main').innerText();
    expect(main).toContain(person.email);
    expect(main).toContain('sign_in.succeeded');
    expect(main).toContain('127.0.0.1'); // the session's address
    expect(main).toContain('Active now'); // it just signed in
    expect(main).toContain('openid'); // the application allowed, with its scopes

    await page.getByLabel('Given name').fill('Lin');
    await page.getByLabel('Family name').fill('Feng');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await accountOf(person.id)).toMatchObject({ given_name: 'Lin', family_name: 'Feng' });

    await page.getByRole('button', { name: 'Send a password reset' }).click();
    await page.getByText('A password reset link was mailed.').waitFor();
    expect(linkIn(await sink.next(person.email), '/password/reset')).toContain('token=');

    const newAddress = uniqueEmail('moved');
    await page.getByLabel('New address', { exact: true }).fill(newAddress);
    await page.getByRole('button', { name: 'Change the address' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await accountOf(person.id)).toMatchObject({ email: newAddress, email_verified: false });
    await page.getByRole('button', { name: 'Mark the address verified' }).click();
    await page.getByText('The address is marked verified.').waitFor();
    expect((await accountOf(person.id)).email_verified).toBe(true);


    await page.getByLabel('Give a role').selectOption('admin');
    await page.getByRole('button', { name: 'Give', exact: true }).click();
    await page.getByText('The role was given.').waitFor();
    expect((await accountOf(person.id)).roles).toContain('admin');
    await page.getByRole('button', { name: 'Take away the role admin' }).click();
    await page.getByText('The role was taken away.').waitFor();
    expect((await accountOf(person.id)).roles).not.toContain('admin');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByText('Every session was ended.').waitFor();
    expect(await app.services.db.knex('oidc_payloads').where({ model: 'Session', account_id: person.id })).toHaveLength(0);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('The account is disabled.').waitFor();
    expect((await accountOf(person.id)).disabled).toBe(true);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('The account is enabled.').waitFor();
    expect((await accountOf(person.id)).disabled).toBe(false);

    await page.getByLabel('Type the address to confirm').fill('someone.else@example.test');
    await page.getByRole('button', { name: 'Delete the account' }).click();
    await expect(page.locator('#confirm-error').innerText()).resolves.toContain('Type the account');
    expect(await accountOf(person.id)).toBeTruthy();
    await page.getByLabel('Type the address to confirm').fill(newAddress.toUpperCase());
    await page.getByRole('button', { name: 'Delete the account' }).click();
    await page.getByText('The account was deleted.').waitFor();
    expect(await accountOf(person.id)).toBeUndefined();
    // The deleted account's events are a pseudonym's (test/account-area/your-data.test.ts); the admin who acted stays named.
    const [deleted] = await app.services.db.knex('audit_events').where({ type: 'account.deleted' }).orderBy('id', 'desc').limit(1);
    const types = (await app.services.db.knex('audit_events').where({ subject_id: deleted.subject_id, actor_id: admin.id }).pluck('type')).sort();
    expect(types).toEqual(expect.arrayContaining(['account.deleted', 'account.disabled', 'account.updated', 'email.changed', 'email.verified', 'role.granted', 'role.revoked']));
  });

  it('does not let an admin lock themselves out, and answers 404 for nobody', async () => {
    await page.goto(`${app.url}/admin/people/${admin.id}`);
    expect(await page.getByRole('button', { name: 'Disable' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete the account' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Take away the role admin' }).click();
    await expect(page.locator('.alert').innerText()).resolves.toContain('your own account');
    expect((await accountOf(admin.id)).roles).toContain('admin');
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    for (const role of ['ADMIN', (await app.services.roles.find('admin')).id]) { // the admin role by any name the library knows it by
      const revoked = await page.context().request.post(`${app.url}/admin/people/${admin.id}/roles/revoke`, { form: { _csrf: csrf, role }, maxRedirects: 0 });
      expect(revoked.status(), role).toBe(409);
    }
    expect((await accountOf(admin.id)).roles).toContain('admin');
    const deleted = await page.context().request.post(`${app.url}/admin/people/${admin.id}/delete`, { form: { _csrf: csrf, confirm: admin.email }, maxRedirects: 0 });
    expect(deleted.status()).toBe(409);
    expect(await accountOf(admin.id)).toBeTruthy();
    expect((await page.goto(`${app.url}/admin/people/00000000-0000-4000-8000-000000000000`))!.status()).toBe(404);
    expect((await page.goto(`${app.url}/admin/people/not-an-id`))!.status()).toBe(404);
    expect(problems).toEqual([]);
  });
});
