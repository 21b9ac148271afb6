// The console's Roles and API resources pages in Chromium: register an API resource and change its
// permissions; make a role, give it a permission, see who holds it, rename it, delete it (only
// after a recent sign-in); the built-in admin role refuses to be renamed or deleted, and says so.
// Each change is checked in the database and in the audit log, with the admin as its actor.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageConsoleSignIn, type ConsoleAdmin, type ConsoleFixture, seriousViolations, signInOnPage, startConsole } from '../helpers/console.ts';
import type { TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let fixture: ConsoleFixture;
let app: TestApp, client: TestClient, admin: ConsoleAdmin, page: Page, problems: string[];

beforeAll(async () => ({ app, client, admin, page, problems } = fixture = await startConsole()));
afterAll(() => fixture?.close());

const knex = () => app.services.db.knex;
const tag = `t${Date.now()}`;
const identifier = `https://api.example.test/invoices-${tag}`;

/** The admin signs in again where the console sent them, and lands back on `path`. */
async function signInAgain(path: string) {
  await page.getByRole('heading', { name: 'Sign in again' }).waitFor();
  await page.getByRole('link', { name: 'Sign in again' }).click();
  await signInOnPage(page, admin);
  await page.waitForURL(`${app.url}${path}`);
}

describe('console: roles and API resources', () => {
  it('registers an API resource and adds and removes its permissions', async () => {
    await page.getByRole('link', { name: 'Roles and API resources', exact: true }).click();
    await page.getByRole('heading', { name: 'Roles and API resources', level: 1 }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Identifier').fill('not a URI');
    await page.getByLabel('API name').fill('Invoices');
    await page.getByRole('button', { name: 'Register the API' }).click();
    await expect(page.locator('#resource-identifier-error').innerText()).resolves.toContain('absolute URI');
    expect(await page.getByLabel('API name').inputValue()).toBe('Invoices'); // the form is kept
    expect(await knex()('api_resources').where({ name: 'Invoices' })).toHaveLength(0);

    await page.getByLabel('Identifier').fill(identifier);
    await page.getByLabel('Permissions', { exact: true }).fill('read:invoices');
    await page.getByRole('button', { name: 'Register the API' }).click();
    await page.getByText('The API resource was registered.').waitFor();
    const resource = await knex()('api_resources').where({ identifier }).first();
    expect(new URL(page.url()).pathname).toBe(`/admin/roles/resources/${resource.id}`);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Permission', { exact: true }).fill('write:invoices');
    await page.getByLabel('What it allows (optional)').fill('Make and change invoices');
    await page.getByRole('button', { name: 'Add the permission' }).click();
    await page.getByText('The permission was added.').waitFor();
    await page.getByLabel('Permission', { exact: true }).fill('openid'); // one of Latchkey's own scopes
    await page.getByRole('button', { name: 'Add the permission' }).click();
    await expect(page.locator('#permission-name-error').innerText()).resolves.toContain('scope value');
    await page.getByLabel('Permission', { exact: true }).fill('delete:invoices');
    await page.getByRole('button', { name: 'Add the permission' }).click();
    await page.getByText('The permission was added.').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove the permission delete:invoices' }).click();
    await page.getByText('The permission was removed.').waitFor();
    expect(await knex()('resource_permissions').where({ resource_id: resource.id }).orderBy('name').select('name', 'description')).toEqual([
      { name: 'read:invoices', description: '' }, { name: 'write:invoices', description: 'Make and change invoices' },
    ]);

    await page.getByLabel('Token lifetime in seconds').fill('900');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect((await knex()('api_resources').where({ id: resource.id }).first()).access_token_ttl).toBe(900);
    const types = await knex()('audit_events').where({ actor_id: admin.id }).whereIn('type', ['resource.created', 'resource.updated']).pluck('type');
    expect(types.sort()).toEqual(['resource.created', 'resource.updated', 'resource.updated', 'resource.updated', 'resource.updated']);
  });

  it('makes a role, gives it a permission, lists who holds it, renames it, and deletes it only after a recent sign-in', async () => {
    await page.goto(`${app.url}/admin/roles`);
    await page.getByLabel('Role name').fill(`Editors ${tag}`);
    await page.getByLabel('Description').fill('Write the invoices');
    await page.getByRole('button', { name: 'Make the role' }).click();
    await page.getByText('The role was made.').waitFor();
    const role = await app.services.roles.find(`Editors ${tag}`);
    const rolePath = `/admin/roles/${role.id}`;
    expect(new URL(page.url()).pathname).toBe(rolePath);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('checkbox', { name: /write:invoices/ }).check();
    await page.getByRole('button', { name: 'Save the permissions' }).click();
    await page.getByText('The role\'s permissions were saved.').waitFor();
    expect(await app.services.roles.permissions(role.id)).toEqual([{ resource: identifier, permission: 'write:invoices' }]);
    expect(await page.getByRole('checkbox', { name: /write:invoices/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /read:invoices/ }).isChecked()).toBe(false);

    // 26 holders: a page of 25, then the next.
    const people = [];
    for (let i = 0; i < 26; i += 1) people.push(await app.services.accountAdmin.create({ email: `${tag}.${String(i).padStart(2, '0')}@example.test`, invite: false }));
    for (const person of people) await app.services.roles.grant(role.id, person.id);
    await app.services.roles.grantToClient(role.id, client.clientId);
    await page.reload();
    expect(await page.getByRole('region', { name: 'Machine clients holding it' }).getByRole('link', { name: (await app.services.clients.showClient(client.clientId)).client_name })
      .getAttribute('href')).toBe(`/admin/applications/${encodeURIComponent(client.clientId)}`);
    const holders = page.getByRole('region', { name: 'Who holds it' }).getByRole('listitem');
    expect(await holders.count()).toBe(25);
    expect(await page.getByRole('link', { name: people[0]!.email }).getAttribute('href')).toBe(`/admin/people/${people[0]!.id}`);
    await page.getByRole('link', { name: 'Next page' }).click();
    expect(await holders.allInnerTexts()).toEqual([people[25]!.email]);
    await page.getByRole('link', { name: 'First page' }).click();
    expect(await holders.count()).toBe(25);

    await page.getByLabel('Role name').fill(`Writers ${tag}`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    expect((await knex()('roles').where({ id: role.id }).first()).name).toBe(`Writers ${tag}`);
    expect((await knex()('accounts').where({ id: people[0]!.id }).first()).roles).toEqual([`Writers ${tag}`]);
    await page.getByLabel('Role name').fill('admin'); // taken
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.locator('#role-name-error').innerText()).resolves.toContain('exists already');

    await ageConsoleSignIn(app, page, 10 * 60);
    await page.goto(`${app.url}${rolePath}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete the role' }).click();
    await signInAgain(rolePath);
    expect(await knex()('roles').where({ id: role.id })).toHaveLength(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete the role' }).click();
    await page.getByText('The role was deleted.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/roles');
    expect(await knex()('roles').where({ id: role.id })).toHaveLength(0);
    expect((await knex()('accounts').where({ id: people[0]!.id }).first()).roles).toEqual([]);
    const events = await knex()('audit_events').where({ actor_id: admin.id }).whereRaw("details->>'role_id' = ?", [role.id]).pluck('type');
    expect(events).toEqual(expect.arrayContaining(['role.created', 'role.updated', 'role.deleted']));
    expect(await knex()('audit_events').where({ type: 'role.deleted', actor_type: 'account', actor_id: admin.id })).toHaveLength(1);
  });

  it('refuses to rename or delete the admin role, and says why', async () => {
    const role = await app.services.roles.find('admin');
    await page.goto(`${app.url}/admin/roles/${role.id}`);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.getByRole('button', { name: 'Delete the role' }).count()).toBe(0); // the page says it is built in instead
    await page.getByLabel('Role name').fill('superusers');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.locator('.alert').innerText()).resolves.toContain('The admin role is built in');
    expect(await page.getByLabel('Role name').inputValue()).toBe('superusers'); // shown as typed, not saved
    expect((await knex()('roles').where({ id: role.id }).first()).name).toBe('admin');

    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    const deleted = await page.context().request.post(`${app.url}/admin/roles/${role.id}/delete`, { form: { _csrf: csrf }, maxRedirects: 0 });
    expect(deleted.status()).toBe(409);
    expect(await deleted.text()).toContain('The admin role is built in');
    expect(await knex()('roles').where({ id: role.id })).toHaveLength(1);

    // A form without its CSRF token changes nothing; nor does a role or resource that is not there.
    const forged = await page.context().request.post(`${app.url}/admin/roles`, { form: { name: `forged ${tag}` }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await knex()('roles').where({ name: `forged ${tag}` })).toHaveLength(0);
    expect((await page.goto(`${app.url}/admin/roles/00000000-0000-4000-8000-000000000000`))!.status()).toBe(404);
    expect((await page.goto(`${app.url}/admin/roles/resources/not-an-id`))!.status()).toBe(404);
  });

  it('deletes an API resource only after a recent sign-in, taking its permissions from every role', async () => {
    const resource = await knex()('api_resources').where({ identifier }).first();
    const role = await app.services.roles.create({ name: `Readers ${tag}` });
    await app.services.roles.setPermissions(role.id, [{ resource: identifier, permission: 'read:invoices' }]);
    const path = `/admin/roles/resources/${resource.id}`;
    await ageConsoleSignIn(app, page, 10 * 60);
    await page.goto(`${app.url}${path}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete the API resource' }).click();
    await signInAgain(path);
    expect(await knex()('api_resources').where({ id: resource.id })).toHaveLength(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete the API resource' }).click();
    await page.getByText('The API resource was deleted.').waitFor();
    expect(await knex()('api_resources').where({ id: resource.id })).toHaveLength(0);
    expect(await app.services.roles.permissions(role.id)).toEqual([]);
    expect(await knex()('audit_events').where({ type: 'resource.deleted', actor_id: admin.id })).toHaveLength(1);
    expect(await page.locator('main').innerText()).toContain('No API resources yet.');
    expect(problems).toEqual([]);
  });
});
