// No dead ends: every error page offers a way on (back to the application when its home is
// known, else to sign-in), as do the pages that end a flow; setting up a required factor can be
// left for another account or cancelled; recovery codes can be downloaded.
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignIn, submitForm } from '../helpers/hosted-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { authorizationRequest, createUser, REDIRECT_URI, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
beforeAll(async () => {
  app = await startApp({ env: { MFA_REQUIRED: 'all' } });
  const created = JSON.parse((await app.cli('clients', 'create', '--name', 'Acme Notes', '--redirect-uri', REDIRECT_URI, '--client-uri', 'https://notes.example/', '--json')).stdout);
  client = { clientId: created.client_id, clientSecret: created.client_secret } as TestClient;
});
afterAll(() => app?.close());

const links = (body: string) => [...body.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((match) => ({ href: match[1], words: match[2] }));

describe('ways on', () => {
  it('leads from an unknown application\'s error to sign-in, and from a known one\'s back to its home page', async () => {
    const unknown = await new HttpSession().follow(`${app.url}/auth?client_id=nobody&response_type=code&scope=openid`, app.url);
    expect(unknown.status).toBe(400);
    expect(links(unknown.body)).toContainEqual({ href: '/account/security', words: 'Go to sign-in' });

    const misdirected = await new HttpSession().follow(authorizationRequest(app, client, { redirect_uri: 'https://evil.example/cb' }).url, app.url);
    expect(misdirected.status).toBe(400);
    expect(links(misdirected.body)).toContainEqual({ href: 'https://notes.example/', words: 'Back to Acme Notes' });
    expect(misdirected.body).not.toContain('evil.example/cb"');
  });

  it('leads on from a page that is not there', async () => {
    const missing = await new HttpSession().request(`${app.url}/password/nowhere`);
    expect(missing.status).toBe(404);
    expect(links(missing.body)).toContainEqual({ href: '/account/security', words: 'Go to sign-in' });
  });

  it('lets a person asked to set up a factor sign in as someone else or cancel, and download the recovery codes', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const enrol = await submitLogin(session, app, page, user.email, user.password);
    expect(enrol.body).toContain('Set up two-step verification');
    expect(enrol.body).toMatch(/action="\/interaction\/[\w-]+\/restart"[\s\S]*Sign in as someone else/);
    expect(enrol.body).toMatch(/action="\/interaction\/[\w-]+\/abort"[\s\S]*Cancel and go back to Acme Notes/);

    const secret = enrol.body.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '');
    const codes = await submitForm(session, app, enrol, '/mfa/enrol/totp', { code: await generate({ secret }) });
    const shown = [...codes.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((match) => match[1]);
    expect(shown).toHaveLength(10);
    const download = /<a class="button secondary small" download="recovery-codes.txt" href="data:text\/plain;charset=utf-8,([^"]+)">Download as a text file<\/a>/.exec(codes.body);
    expect(download).toBeTruthy();
    const file = decodeURIComponent(download![1]!.replaceAll('&#39;', "'"));
    expect(file.split('\n')).toEqual([`Recovery codes for ${user.email} (Latchkey). Each works once.`, '', ...shown, '']);
    expect(codes.body).toMatch(/<button type="button" class="secondary small" data-copy="#recovery-codes"[^>]* hidden>Copy codes<\/button>/); // shown by script only
  });
});
