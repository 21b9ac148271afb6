// The console's Applications pages, in Chromium: register each kind of application through the
// form (its kind sets its grant types), see its secret once, wire it up with the page's own
// snippet and a real relying-party library (openid-client), change it, replace its secret
// (only after a recent sign-in), and delete it with everything it holds.
import * as oc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startCallbackServer, type CallbackServer } from '../helpers/browser.ts';
import { ageConsoleSignIn, makeAdmin, openConsole, seriousViolations, signInOnPage, type ConsoleAdmin } from '../helpers/console.ts';
import { startAppWithMail } from '../helpers/hosted-pages.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let close: () => Promise<void>;
let browser: Browser;
let rp: CallbackServer;
let admin: ConsoleAdmin;
let page: Page;
const problems: string[] = [];

/** The web app made in the first test, used by the later ones. */
const web = { clientId: '', secret: '' };

beforeAll(async () => {
  [{ app, close }, browser, rp] = await Promise.all([startAppWithMail(), launchBrowser(), startCallbackServer()]);
  admin = await makeAdmin(app);
  page = await openConsole(browser, app, admin, problems);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
});
afterAll(async () => {
  await browser?.close();
  await rp?.close();
  await close?.();
});

const AsyncFunction = (async () => undefined).constructor as new (...names: string[]) => (...values: unknown[]) => Promise<any>;

/**
 * Runs the page's openid-client snippet as an application would: its first part makes the
 * authorization URL; a person signs in with it in their own browser; its last part redeems the code.
 */
async function runSnippet(snippet: string, secret: string | undefined, user: { email: string; password: string }, { consent = false } = {}) {
  expect(snippet).not.toContain(secret ?? '<no secret>');
  const code = snippet.replace("import * as client from 'openid-client';", '').replace("'<CLIENT_SECRET>'", JSON.stringify(secret));
  const [setup, finish] = code.split('const tokens = ');
  const started = await new AsyncFunction('client', `${setup}\nreturn { config, codeVerifier, state, authorizationUrl };`)(oc);
  const redirect = new URL(new URL(started.authorizationUrl).searchParams.get('redirect_uri')!);
  const person = await (await browser.newContext()).newPage();
  const callback = rp.next(redirect.pathname);
  await person.goto(started.authorizationUrl.href);
  await signInOnPage(person, user);
  if (consent) await person.getByRole('button', { name: 'Allow' }).click();
  const callbackUrl = await callback;
  await person.context().close();
  return new AsyncFunction('client', 'config', 'codeVerifier', 'state', 'callbackUrl', `return ${finish}`)(oc, started.config, started.codeVerifier, started.state, callbackUrl) as
    Promise<oc.TokenEndpointResponse & oc.TokenEndpointResponseHelpers>;
}

/** From the list, through the kind chooser, to the settings form of `kind`. */
async function openNewForm(kind: string) {
  await page.goto(`${app.url}/admin/applications`);
  await page.getByRole('link', { name: 'Add an application' }).click();
  await page.getByLabel(kind).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: `Add an application: ${kind}` }).waitFor();
}

const clientIdOnPage = async () => (await page.locator('#client-id').innerText()).trim();

describe('console applications', () => {
  it('registers a web app, shows its secret once, and the page\'s snippet signs a person in with openid-client', async () => {
    await page.goto(`${app.url}/admin/applications`);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.locator('main').innerText()).not.toMatch(/latchkey-(admin|account)/); // the built-in clients are not listed
    await page.getByRole('link', { name: 'Add an application' }).click();
    await page.getByRole('heading', { name: 'Add an application', level: 1 }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Web app').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Name', { exact: true }).fill('Orders');
    await page.getByLabel('Redirect URIs').fill(`${rp.origin}/cb\n`);
    await page.getByLabel('Sign-out return URIs').fill(`${rp.origin}/bye`);
    await page.getByLabel('Your own application: don\'t ask people for consent').check();
    await page.getByRole('button', { name: 'Add the application' }).click();
    await page.getByText('The application was added.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    web.clientId = await clientIdOnPage();
    web.secret = (await page.locator('.reveal code').innerText()).trim();
    expect(web.secret).toMatch(/^[\w-]{43}$/);
    expect(page.url()).not.toContain(web.secret);
    expect(await app.services.clients.showClient(web.clientId)).toMatchObject({
      client_name: 'Orders', public: false, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [`${rp.origin}/cb`], post_logout_redirect_uris: [`${rp.origin}/bye`], skip_consent: true, scope: 'openid email profile offline_access',
      id_token_signed_response_alg: 'RS256',
    });
    expect((await app.services.clients.maybeLoadProviderMetadata(web.clientId))?.client_secret).toBe(web.secret);

    await page.getByRole('button', { name: 'Copy the secret' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(web.secret);
    await page.reload();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    expect(await page.locator('.reveal').count()).toBe(0);
    expect(await page.content()).not.toContain(web.secret);
    expect(JSON.stringify(app.logs)).not.toContain(web.secret);

    expect(await page.locator('#issuer').innerText()).toBe(app.url);
    expect(await page.locator('#discovery-url').innerText()).toBe(`${app.url}/.well-known/openid-configuration`);
    const user = await createUser(app, { name: 'Olga Orders' });
    const tokens = await runSnippet(await page.locator('#snippet').innerText(), web.secret, user);
    expect(tokens.claims()).toMatchObject({ sub: user.id, aud: web.clientId, iss: app.url });

    await page.goto(`${app.url}/admin/applications`);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Orders' }) });
    expect(await row.innerText()).toContain('Web app');
    expect(await row.innerText()).not.toContain('Never'); // just used
    expect(problems).toEqual([]);
  });

  it('registers a single-page app without a secret and a machine client with its scopes and roles', async () => {
    await openNewForm('Single-page or native app');
    await page.getByLabel('Name', { exact: true }).fill('Dashboard');
    await page.getByLabel('Redirect URIs').fill(`${rp.origin}/spa`);
    await page.getByLabel('ID token signing algorithm').selectOption('ES256');
    await page.getByRole('button', { name: 'Add the application' }).click();
    await page.getByText('The application was added.').waitFor();
    expect(await page.locator('.reveal').count()).toBe(0); // nothing to reveal: it has no secret
    const spaId = await clientIdOnPage();
    expect(await app.services.clients.showClient(spaId)).toMatchObject({
      public: true, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [`${rp.origin}/spa`],
      skip_consent: false, id_token_signed_response_alg: 'ES256',
    });
    expect(await page.getByRole('button', { name: 'Replace the secret' }).count()).toBe(0);
    const tokens = await runSnippet(await page.locator('#snippet').innerText(), undefined, await createUser(app), { consent: true });
    expect(tokens.claims()?.aud).toBe(spaId);

    await app.services.roles.create({ name: 'reporter' });
    await openNewForm('Machine to machine');
    expect(await page.getByLabel('Redirect URIs').count()).toBe(0); // a machine signs nobody in
    await page.getByLabel('Name', { exact: true }).fill('Nightly export');
    await page.getByLabel('admin:read').check();
    await page.getByLabel('reporter').check();
    await page.getByRole('button', { name: 'Add the application' }).click();
    await page.getByText('The application was added.').waitFor();
    const machineId = await clientIdOnPage();
    const secret = (await page.locator('.reveal code').innerText()).trim();
    expect(await app.services.clients.showClient(machineId)).toMatchObject({
      public: false, grant_types: ['client_credentials'], redirect_uris: [], scope: 'admin:read', skip_consent: false,
    });
    expect(await app.services.roles.clientRoles(machineId)).toEqual(['reporter']);
    expect(await seriousViolations(page)).toEqual([]);
    await page.reload(); // the secret is gone; the roles stay, to take away and give again
    await page.getByRole('button', { name: 'Take away the role reporter' }).click();
    await page.getByText('The role was taken away.').waitFor();
    expect(await app.services.roles.clientRoles(machineId)).toEqual([]);
    await page.getByLabel('Give a role').selectOption('reporter');
    await page.getByRole('button', { name: 'Give', exact: true }).click();
    await page.getByText('The role was given.').waitFor();
    expect(await app.services.roles.clientRoles(machineId)).toEqual(['reporter']);

    // The page's curl command, as a service would run it.
    const snippet = await page.locator('#snippet').innerText();
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json() as { token_endpoint: string };
    expect(snippet).toContain(`'${discovery.token_endpoint}'`);
    expect(snippet).toContain(`-u '${machineId}:<CLIENT_SECRET>'`);
    expect(snippet).toContain("--data-urlencode scope='admin:read'");
    const answer = await fetch(discovery.token_endpoint, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${machineId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin:read' }),
    });
    expect(answer.status).toBe(200);
    expect(problems).toEqual([]);
  });

  it('gives a machine that signs with its own keys (registered elsewhere) a snippet that works with that key', async () => {
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const { client } = await app.services.clients.createClient({
      name: 'Key signer', redirectUris: [], postLogoutRedirectUris: [], isPublic: false, grantTypes: ['client_credentials'], scopes: ['admin:read'],
      skipConsent: false, jwks: { keys: [{ ...await crypto.subtle.exportKey('jwk', keys.publicKey), alg: 'ES256', use: 'sig' }] },
    });
    await page.goto(`${app.url}/admin/applications/${client.client_id}`);
    expect(await page.getByRole('button', { name: 'Replace the secret' }).count()).toBe(0); // it has none
    const snippet = await page.locator('#snippet').innerText();
    expect(snippet).toContain('client.PrivateKeyJwt(privateKey)');
    const code = snippet.replace("import * as client from 'openid-client';", '');
    const tokens = await new AsyncFunction('client', 'privateKey', `${code}\nreturn tokens;`)(oc, keys.privateKey);
    expect(tokens).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), scope: 'admin:read' });
  });

  it('shows a refused registration on the form with what was typed, and makes nothing; a form without its CSRF token makes nothing either', async () => {
    const before = (await app.services.clients.listClients()).length;
    await openNewForm('Web app');
    await page.getByLabel('Name', { exact: true }).fill('Plain HTTP');
    await page.getByLabel('Redirect URIs').fill('http://app.example.com/cb');
    await page.getByLabel('Terms of service').fill('https://app.example.com/terms');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Add the application' }).click()]);
    expect(response.status()).toBe(400);
    await page.locator('#redirect_uris-error').waitFor();
    expect(await page.locator('#redirect_uris-error').innerText()).toContain('must use https');
    expect(await page.getByLabel('Redirect URIs').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Plain HTTP');
    expect(await page.getByLabel('Redirect URIs').inputValue()).toBe('http://app.example.com/cb');
    expect(await page.getByLabel('Terms of service').inputValue()).toBe('https://app.example.com/terms');
    expect(await seriousViolations(page)).toEqual([]);

    // A kind that is none of the three: asked again which it is.
    await page.locator('input[name=kind]').evaluate((input: HTMLInputElement) => { input.value = 'robot'; });
    await page.getByRole('button', { name: 'Add the application' }).click();
    await page.getByText('Choose what kind of application this is.').waitFor();
    expect(await page.getByRole('radio').count()).toBe(3);

    const forged = await page.context().request.post(`${app.url}/admin/applications`, {
      form: { kind: 'web', name: 'Forged', redirect_uris: 'https://evil.example/cb' }, maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect((await app.services.clients.listClients()).length).toBe(before);
  });

  it('changes an application\'s settings, refusing a link that is not https', async () => {
    await page.goto(`${app.url}/admin/applications/${web.clientId}`);
    await page.getByLabel('Name', { exact: true }).fill('Orders and invoices');
    await page.getByLabel('Back-channel logout URI (optional)').fill('https://orders.example.com/logout#fragment');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#backchannel_logout_uri-error').waitFor();
    expect(await page.locator('#backchannel_logout_uri-error').innerText()).toBe('Enter an https address (http only to localhost), without # or a user name.');
    await page.getByLabel('Back-channel logout URI (optional)').fill('https://orders.example.com/logout');
    await page.getByLabel('Logout tokens carry the session they end (sid)').check();
    await page.getByLabel('Privacy policy').fill('http://orders.example.com/privacy');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#policy_uri-error').waitFor();
    expect(await page.locator('#policy_uri-error').innerText()).toBe('Enter an https address, such as https://example.com/.');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Orders and invoices'); // kept, not saved
    expect((await app.services.clients.showClient(web.clientId)).client_name).toBe('Orders');

    await page.getByLabel('Privacy policy').fill('https://orders.example.com/privacy');
    await page.getByLabel('profile').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The settings were saved.').waitFor();
    expect(await app.services.clients.showClient(web.clientId)).toMatchObject({
      client_name: 'Orders and invoices', policy_uri: 'https://orders.example.com/privacy', scope: 'openid email offline_access', skip_consent: true,
      redirect_uris: [`${rp.origin}/cb`], backchannel_logout_uri: 'https://orders.example.com/logout', backchannel_logout_session_required: true,
    });
    const [event] = await app.services.db.knex('audit_events').where({ client_id: web.clientId, type: 'client.updated' });
    expect(event).toMatchObject({ actor_type: 'account', actor_id: admin.id });
  });

  it('replaces a secret only after a recent sign-in, and shows the new one once', async () => {
    await page.goto(`${app.url}/admin/applications/${web.clientId}`);
    await ageConsoleSignIn(app, page, 10 * 60);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Replace the secret' }).click();
    await page.getByRole('heading', { name: 'Sign in again' }).waitFor();
    expect((await app.services.clients.maybeLoadProviderMetadata(web.clientId))?.client_secret).toBe(web.secret); // unchanged

    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signInOnPage(page, admin);
    await page.waitForURL(`${app.url}/admin/applications/${web.clientId}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Replace the secret' }).click();
    await page.getByText('The secret was replaced.').waitFor();
    const secret = (await page.locator('.reveal code').innerText()).trim();
    expect(secret).not.toBe(web.secret);
    expect((await app.services.clients.maybeLoadProviderMetadata(web.clientId))?.client_secret).toBe(secret);
    await page.reload();
    expect(await page.locator('.reveal').count()).toBe(0);
    expect(JSON.stringify(app.logs)).not.toContain(secret);
    web.secret = secret;
  });

  it('deletes an application with its grants and tokens once its name is typed, as the admin', async () => {
    const held = await app.services.db.knex('oidc_payloads').where({ client_id: web.clientId }).select('model');
    expect(held.map((row: { model: string }) => row.model)).toEqual(expect.arrayContaining(['Grant', 'AccessToken'])); // from the sign-in in the first test
    await page.goto(`${app.url}/admin/applications/${web.clientId}`);
    await page.getByLabel('Type its name or client ID to confirm').fill('Orders');
    await page.getByRole('button', { name: 'Delete the application' }).click();
    await page.locator('#confirm-error').waitFor();
    expect(await app.services.clients.showClient(web.clientId)).toBeTruthy();

    await page.getByLabel('Type its name or client ID to confirm').fill('Orders and invoices');
    await page.getByRole('button', { name: 'Delete the application' }).click();
    await page.getByText('The application was deleted, with its grants and tokens.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/applications');
    expect(await app.services.db.knex('oidc_payloads').where({ client_id: web.clientId })).toEqual([]);
    const [event] = await app.services.db.knex('audit_events').where({ client_id: web.clientId, type: 'client.deleted' });
    expect(event).toMatchObject({ actor_type: 'account', actor_id: admin.id });

    const gone = await page.goto(`${app.url}/admin/applications/${web.clientId}`);
    expect(gone!.status()).toBe(404);
    await page.getByRole('heading', { name: 'No such application' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
