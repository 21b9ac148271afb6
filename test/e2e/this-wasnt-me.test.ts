// Someone with a phished password adds a passkey of their own; the owner uses the security
// notice's "This wasn't me" in a browser of their own. Chromium, two separate browsers.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { linkIn, startAppWithMail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';
import { addVirtualAuthenticator } from '../helpers/virtual-authenticator.ts';

describe('"This wasn\'t me" after a stranger added a passkey', () => {
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

  it('removes the stranger\'s passkey, signs everyone out and lets the owner choose a new password', async () => {
    const user = await createUser(app);
    const stranger = await (await browser.newContext()).newPage();
    stranger.on('pageerror', (error) => problems.push(error.message));
    const strangersKey = await addVirtualAuthenticator(stranger, { synced: true });
    await stranger.goto(`${app.url}/account/security`);
    await stranger.getByLabel('Email address').fill(user.email);
    await stranger.getByLabel('Password').fill(user.password);
    await stranger.getByRole('button', { name: 'Sign in', exact: true }).click();
    await stranger.getByLabel('Name').fill('Mine now');
    await stranger.getByRole('button', { name: 'Add a security key or passkey' }).click();
    await stranger.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await strangersKey.credentials()).toHaveLength(1);

    const notice = await sink.next(user.email);
    expect(notice.text).toContain('A security key or passkey was added');
    expect(notice.text).not.toContain('Mine now');
    const owner = await (await browser.newContext()).newPage();
    owner.on('pageerror', (error) => problems.push(error.message));
    await owner.goto(linkIn(notice, '/security/undo'));
    await expect(owner.locator('main').innerText()).resolves.toContain('It removes the security key or passkey added since');
    await owner.getByLabel('Your current password').fill(user.password); // phished, but still the owner's
    await owner.getByRole('button', { name: 'Secure my account' }).click();
    await owner.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await expect(owner.locator('.notice').innerText()).resolves.toContain('Removed: the security key or passkey added since');
    await owner.getByLabel('New password').fill('only the owner knows this one');
    await owner.getByRole('button', { name: 'Save new password' }).click();
    await owner.getByRole('heading', { name: 'Password changed' }).waitFor();
    expect(await app.services.db.knex('webauthn_credentials').where({ account_id: user.id })).toHaveLength(0);

    // The stranger's browser is signed out, and its passkey signs in to nothing.
    await stranger.goto(`${app.url}/account/security`);
    // The page's autofill offers the passkey, and the virtual authenticator answers at once.
    await expect(stranger.locator('.alert').first().innerText()).resolves.toMatch(/not recognised|no longer|passkey/i);
    expect(new URL(stranger.url()).pathname).toMatch(/^\/interaction\//);
    await stranger.close(); // its autofill would go on offering the passkey

    // The owner signs in with the new password, and nothing else is asked.
    await owner.goto(`${app.url}/account/security`);
    await owner.getByLabel('Email address').fill(user.email);
    await owner.getByLabel('Password').fill('only the owner knows this one');
    await owner.getByRole('button', { name: 'Sign in', exact: true }).click();
    await owner.getByRole('heading', { name: 'Account security' }).waitFor();
    expect(problems).toEqual([]);
  });
});
