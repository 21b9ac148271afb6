// Authorization and sign-out requests sent by POST (OpenID Connect Core 3.1.2.1, RP-Initiated
// Logout §2), from a relying party on another site: its page auto-submits a form to Latchkey.
// Chromium carries the session cookie on that cross-site POST only because it is SameSite=None.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { authorize, createUser, registerClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

/** A relying party on 127.0.0.1 (another site than Latchkey's localhost): pages that POST, and its callbacks. */
async function startRelyingParty() {
  const forms = new Map<string, string>();
  const arrivals = new Map<string, (url: URL) => void>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const form = forms.get(url.pathname);
    if (form) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(form);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Relying party</title><p>Back at the app.</p>');
    arrivals.get(url.pathname)?.(url);
    arrivals.delete(url.pathname);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    /** Serves, at `path`, a page whose form POSTs `params` to `action` as soon as it loads. */
    postingPage(path: string, action: string, params: Record<string, string>) {
      const fields = Object.entries(params).map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/"/g, '&quot;')}">`).join('');
      forms.set(path, `<!doctype html><title>Redirecting</title><form method="post" action="${action}">${fields}</form><script>document.forms[0].submit()</script>`);
      return `${origin}${path}`;
    },
    next: (path: string) => new Promise<URL>((resolve) => arrivals.set(path, resolve)),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('requests by POST from a relying party on another site', () => {
  let app: TestApp;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let browser: Browser;
  let page: Page;
  let config: oc.Configuration;
  let user: Awaited<ReturnType<typeof createUser>>;
  let idToken: string;

  beforeAll(async () => {
    [app, rp, browser] = await Promise.all([startApp(), startRelyingParty(), launchBrowser()]);
    const created = await app.cli('clients', 'create', '--name', 'Posting App', '--redirect-uri', `${rp.origin}/cb`, '--post-logout-redirect-uri', `${rp.origin}/bye`, '--json');
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    config = await oc.discovery(new URL(app.url), client.client_id, client.client_secret, undefined, { execute: [oc.allowInsecureRequests] });
    user = await createUser(app);
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await app?.close();
  });

  /** The relying party POSTs an authorization request; returns the callback URL and a way to redeem it. */
  async function postAuthorization(extra: Record<string, string> = {}) {
    const verifier = oc.randomPKCECodeVerifier();
    const state = oc.randomState();
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.origin}/cb`, scope: 'openid email', state, code_challenge: await oc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    const callback = rp.next('/cb');
    await page.goto(rp.postingPage(`/login-${state}`, `${url.origin}${url.pathname}`, Object.fromEntries(url.searchParams)));
    return {
      callback,
      redeem: async (at: URL) => oc.authorizationCodeGrant(config, at, { pkceCodeVerifier: verifier, expectedState: state }).catch((error) => {
        throw new Error(`${error.error}: ${error.error_description} at ${at}`);
      }),
    };
  }

  it('signs the person in after a POSTed authorization request and gives the application its code', async () => {
    const { callback, redeem } = await postAuthorization();
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await redeem(await callback);
    expect(tokens.claims()!.sub).toBe(user.id);
    idToken = tokens.id_token!;
    const session = (await page.context().cookies(app.url)).find((cookie) => cookie.name === 'lk_session');
    expect(session).toMatchObject({ sameSite: 'None', secure: true, httpOnly: true });
  });

  it('answers a POSTed prompt=none with a code at once while the person is signed in', async () => {
    const { callback, redeem } = await postAuthorization({ prompt: 'none' });
    const tokens = await redeem(await callback);
    expect(tokens.claims()!.sub).toBe(user.id);
  });

  it('signs the person out after a POSTed sign-out request and returns them to the application', async () => {
    const back = rp.next('/bye');
    await page.goto(rp.postingPage('/logout', `${app.url}/session/end`, { id_token_hint: idToken, post_logout_redirect_uri: `${rp.origin}/bye`, state: 'see-you' }));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    expect((await back).searchParams.get('state')).toBe('see-you');

    const { callback } = await postAuthorization({ prompt: 'none' });
    expect((await callback).searchParams.get('error')).toBe('login_required');
  });
});

describe('with AUTHORIZATION_BY_POST=off', () => {
  it('answers POST at /auth and /session/end as not found, and keeps the session cookie SameSite=Lax', async () => {
    const app = await startApp({ env: { AUTHORIZATION_BY_POST: 'off' } });
    try {
      for (const path of ['/auth', '/session/end']) {
        expect((await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=x' })).status).toBe(404);
      }
      const { session } = await authorize(app, await registerClient(app), await createUser(app));
      expect(session.cookie('lk_session')?.sameSite).toBe('lax');
    } finally {
      await app.close();
    }
  });
});
