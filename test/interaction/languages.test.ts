// Which language the hosted pages speak: the switcher's choice (a cookie, kept through the rest
// of the sign-in) wins, then the authorization request's ui_locales, then Accept-Language, then
// English; <html lang> says which, and refusals, scope descriptions and the provider's own
// pages follow. The switcher only ever sends people back to a page of this site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolTotp, openSignedIn } from '../helpers/account-pages.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { authorizationRequest, createUser, registerClient, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
beforeAll(async () => {
  app = await startApp();
  client = await registerClient(app, { name: 'Notes' });
});
afterAll(() => app?.close());

const htmlLang = (body: string) => /<html lang="([^"]+)" dir="([^"]+)"/.exec(body)?.slice(1);
const heading = (body: string) => /<h1>([^<]*)<\/h1>/.exec(body)?.[1];

async function signInPage(headers: Record<string, string> = {}, params: Record<string, string> = {}) {
  const session = new HttpSession(headers);
  const page = await session.follow(authorizationRequest(app, client, params).url, app.url);
  expect(page.status).toBe(200);
  return { session, page };
}

describe('choosing the language', () => {
  it('speaks English to a browser that states no preference, or only languages Latchkey lacks', async () => {
    for (const [headers, params] of [[{}, {}], [{ 'accept-language': 'ja, zh;q=0.8' }, { ui_locales: 'ja tlh' }]] as const) {
      const { page } = await signInPage(headers, params);
      expect(htmlLang(page.body)).toEqual(['en', 'ltr']);
      expect(heading(page.body)).toBe('Sign in');
      expect(page.body).toContain('<title>Sign in · Latchkey</title>');
    }
  });

  it("follows the browser's Accept-Language, regional variants and weights included", async () => {
    const german = await signInPage({ 'accept-language': 'de-CH, fr;q=0.5' });
    expect(htmlLang(german.page.body)).toEqual(['de', 'ltr']);
    expect(heading(german.page.body)).toBe('Anmelden');
    expect(german.page.body).toContain('Passwort vergessen?');
    const french = await signInPage({ 'accept-language': 'ja, fr-CA;q=0.9, de;q=0.1' });
    expect(htmlLang(french.page.body)?.[0]).toBe('fr');
    expect(french.page.body).toContain('Mot de passe oublié ?');
  });

  it("puts the application's ui_locales before Accept-Language, the first supported one first", async () => {
    const { page } = await signInPage({ 'accept-language': 'de' }, { ui_locales: 'ja fr-FR de' });
    expect(htmlLang(page.body)?.[0]).toBe('fr');
    expect(heading(page.body)).toBe('Connexion');
    expect(page.body).toContain('Annuler et revenir à Notes');
  });

  it('keeps the language picked with the switcher for the rest of the sign-in: refusals, consent and scopes too', async () => {
    const user = await createUser(app);
    const { session, page } = await signInPage({ 'accept-language': 'fr' }, { ui_locales: 'fr' });
    const links = [...page.body.matchAll(/<a href="(\/language\?[^"]+)" lang="(\w+)"/g)].map((match) => ({ href: match[1]!.replaceAll('&amp;', '&'), tag: match[2] }));
    expect(links.map((link) => link.tag)).toEqual(['en', 'de', 'fr']);
    expect(page.body).toMatch(/lang="fr" hreflang="fr" aria-current="true"/);

    const picked = await session.request(new URL(links.find((link) => link.tag === 'de')!.href, app.url).href);
    expect(picked.status).toBe(303);
    expect(new URL(picked.location!).pathname).toBe(new URL(page.url).pathname); // back to the same step
    expect(session.cookie('lk_lang')).toMatchObject({ value: 'de', httpOnly: true, sameSite: 'lax' });
    const again = await session.follow(picked.location!, app.url);
    expect(heading(again.body)).toBe('Anmelden');

    const refused = await submitLogin(session, app, again, user.email, 'not the password at all');
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('E-Mail-Adresse oder Passwort ist falsch.');
    expect(htmlLang(refused.body)?.[0]).toBe('de');

    const consent = await submitLogin(session, app, refused, user.email, user.password);
    expect(heading(consent.body)).toBe('Zugriff erlauben?');
    expect(consent.body).toContain('<li>Ihre E-Mail-Adresse sehen</li>');
    expect(consent.body).toContain('<li>Ihren Namen sehen</li>');
    expect(consent.body).toMatch(/<strong>Notes<\/strong> möchte:/);
  });

  it('escapes what goes into a translated sentence', async () => {
    const sneaky = await registerClient(app, { name: '<img src=x onerror=alert(1)>' });
    const session = new HttpSession({ 'accept-language': 'de' });
    const page = await session.follow(authorizationRequest(app, sneaky).url, app.url);
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('Abbrechen und zurück zu &lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('the account pages', () => {
  it('show dates, counts and notices in the language of the page', async () => {
    const user = await createUser(app);
    const session = new HttpSession({ 'accept-language': 'de-DE' });
    const security = await openSignedIn(app, session, user);
    expect(heading(security.body)).toBe('Kontosicherheit');
    const { done } = await enrolTotp(app, session, security);
    expect(heading(done.body)).toBe('Speichern Sie Ihre Wiederherstellungscodes');
    const page = await session.follow(`${app.url}/account/security?done=codes-saved`, app.url);
    expect(page.body).toContain('Ihre Wiederherstellungscodes sind einsatzbereit.');
    const today = new Intl.DateTimeFormat('de', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date());
    expect(page.body).toContain(`Eingeschaltet seit ${today}`);
    expect(page.body).toContain('10 von 10 übrig');
  });
});

describe('refusals with several sentences to one code', () => {
  it('word each sentence in the language of the page', async () => {
    const page = await new HttpSession({ 'accept-language': 'de' }).request(`${app.url}/password/reset?token=nope`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('Dieser Link ist abgelaufen oder wurde schon verwendet. Fordern Sie einen neuen an.');
    const french = await new HttpSession({ 'accept-language': 'fr' }).request(`${app.url}/security/undo?token=nope`);
    expect(french.body).toContain('Ce lien a expiré ou a déjà été utilisé.');
  });
});

describe('the switcher', () => {
  it('sends people back only to a page of this site, and remembers only a language it has', async () => {
    for (const away of ['//evil.example/x', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/\\/evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
      const session = new HttpSession();
      const answer = await session.request(`${app.url}/language?lang=fr&return=${encodeURIComponent(away)}`);
      expect(answer.status, away).toBe(303);
      expect(answer.location, away).toBe(`${app.url}/`);
    }
    const session = new HttpSession();
    await session.request(`${app.url}/language?lang=xx&return=/`);
    expect(session.cookie('lk_lang')).toBeUndefined();
    session.cookies.set('lk_lang;/', { name: 'lk_lang', value: '<script>', path: '/', expires: undefined, httpOnly: true, sameSite: 'lax' });
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    expect(htmlLang(page.body)?.[0]).toBe('en'); // a tampered cookie is ignored
  });
});

describe("the provider's own pages", () => {
  it('explains a bad authorization request in the browser\'s language', async () => {
    const session = new HttpSession({ 'accept-language': 'fr' });
    const page = await session.follow(`${app.url}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=https://x.example/cb`, app.url);
    expect(page.status).toBe(400);
    expect(htmlLang(page.body)?.[0]).toBe('fr');
    expect(heading(page.body)).toBe('Application inconnue');
    expect(page.body).toContain('Détails techniques');
  });
});
