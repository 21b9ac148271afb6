// A branded deployment: its name in titles, pages and mails ("Secured by Latchkey" stays), its
// logo above every page (a file in DATA_DIR, served sandboxed), its colours and theme after
// Latchkey's stylesheet; and each application's own name, logo and links on its pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME_THEME, acmeBrand } from '../helpers/brand-files.ts';
import { openSignIn, submitForm } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { startMailSink, type MailSink } from '../helpers/mail-sink.ts';
import { authorizationRequest, createUser, REDIRECT_URI, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
beforeAll(async () => {
  sink = await startMailSink();
  app = await startApp({ env: { SMTP_URL: sink.url, ...acmeBrand() } });
  const created = JSON.parse((await app.cli('clients', 'create', '--name', 'Acme Notes', '--redirect-uri', REDIRECT_URI,
    '--logo-uri', 'https://notes.example/logo.png', '--client-uri', 'https://notes.example/',
    '--policy-uri', 'https://notes.example/privacy', '--tos-uri', 'https://notes.example/terms', '--json')).stdout);
  client = { clientId: created.client_id, clientSecret: created.client_secret } as TestClient;
});
afterAll(async () => {
  await app?.close();
  await sink?.close();
});

describe('a branded deployment', () => {
  it("names itself, shows its logo and loads its colours and theme after Latchkey's stylesheet", async () => {
    const { page } = await openSignIn(app, client, new HttpSession());
    expect(page.body).toContain('<title>Sign in · Acme ID</title>');
    expect(page.body).toMatch(/<img class="brand-logo" src="\/brand\/logo\?v=[\w-]+" alt="Acme ID">/);
    expect(page.body).toContain('Secured by Latchkey');
    const sheets = [...page.body.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((match) => match[1]!);
    expect(sheets[0]).toBe('/static/latchkey.css');
    expect(sheets.slice(1).map((sheet) => sheet.replace(/\?v=.*/, ''))).toEqual(['/brand/colours.css', '/brand/theme.css']);

    const colours = await fetch(`${app.url}${sheets[1]}`);
    expect(colours.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await colours.text()).toContain('--accent: #0b5e3a; --accent-ink: #ffffff;');
    expect(await (await fetch(`${app.url}${sheets[2]}`)).text()).toBe(ACME_THEME);
  });

  it('serves an SVG logo sandboxed, so that opened on its own it runs nothing', async () => {
    const response = await fetch(`${app.url}/brand/logo`);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
  });

  it("heads the sign-in and consent pages with the application's name and logo, and links its home, privacy policy and terms", async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    expect(page.body).toContain('<img class="client-logo" src="https://notes.example/logo.png"');
    expect(page.body).toContain('to continue to <strong>Acme Notes</strong>');
    const consent = await submitLogin(session, app, page, user.email, user.password);
    expect(consent.body).toContain('<strong>Acme Notes</strong> is asking to:');
    for (const [href, words] of [['https://notes.example/', 'Website'], ['https://notes.example/privacy', 'Privacy policy'], ['https://notes.example/terms', 'Terms']]) {
      expect(consent.body).toContain(`<a href="${href}" rel="noopener noreferrer" target="_blank">${words}</a>`);
    }
  });

  it('signs its mails with its name', async () => {
    const user = await createUser(app, { name: 'Ada' });
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    await submitForm(session, app, page, '/email-code', { email: user.email });
    const mail = await sink.next(user.email);
    expect(mail.subject).toBe('Your Acme ID sign-in code');
    expect(mail.text).toContain('Enter this code on the Acme ID page');
    expect(mail.text).toContain(`Sent by Acme ID at ${app.url}.`);
    expect(mail.text).not.toContain('Latchkey');
  });
});

describe("an application's links", () => {
  it('must be https, like its logo', async () => {
    const refused = await app.cli('clients', 'create', '--name', 'X', '--redirect-uri', REDIRECT_URI, '--policy-uri', 'http://x.example/privacy');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('latchkey: --policy-uri must be an https URL.');
  });
});
