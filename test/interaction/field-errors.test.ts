// A refused value is shown under its field: the field is aria-invalid, described by the message
// and focused; the rest of the form keeps what was typed (never a password); a banner is left for
// what belongs to no field. In German too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistration, openSignIn, register, startAppWithMail, submitForm, uniqueEmail } from '../helpers/hosted-pages.ts';
import { HttpSession, type PageResponse } from '../helpers/http-session.ts';
import { createUser, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let close: () => Promise<void>;
beforeAll(async () => ({ app, client, close } = await startAppWithMail()));
afterAll(() => close?.());

/** The input with this id, as the page has it. */
const input = (page: PageResponse, id: string) => new RegExp(`<input id="${id}"[^>]*>`).exec(page.body)?.[0] ?? '';
const fieldError = (page: PageResponse, id: string) => new RegExp(`<p id="${id}-error" class="field-error">([^<]*)</p>`).exec(page.body)?.[1];
const focused = (page: PageResponse) => [...page.body.matchAll(/<input id="([^"]+)"[^>]* autofocus/g)].map((match) => match[1]);

describe('errors at the field', () => {
  it('puts a wrong password under the password, keeps the address, focuses the password, and shows no banner', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    expect(focused(page)).toEqual(['email']); // before any mistake: the first field
    const refused = await submitLogin(session, app, page, user.email, 'not the password');
    expect(refused.status).toBe(401);
    expect(input(refused, 'password')).toMatch(/aria-invalid="true" aria-describedby="password-error" autofocus/);
    expect(input(refused, 'password')).not.toContain('value=');
    expect(fieldError(refused, 'password')).toBe('The email address or password is incorrect.');
    expect(input(refused, 'email')).toContain(`value="${user.email}"`);
    expect(input(refused, 'email')).not.toContain('aria-invalid');
    expect(focused(refused)).toEqual(['password']);
    expect(refused.body).not.toContain('class="alert"');
  });

  it('puts each registration mistake under its own field, keeping the name and address typed', async () => {
    const session = new HttpSession({ 'accept-language': 'de' });
    const { page } = await openRegistration(app, client, session);
    const email = uniqueEmail('field');
    const common = await register(session, app, page, { email, name: 'Grete', password: 'password123' });
    expect(common.status).toBe(400);
    expect(fieldError(common, 'password')).toMatch(/^Dies ist eines der häufigsten Passwörter/);
    expect(input(common, 'password')).toMatch(/aria-invalid="true" aria-describedby="password-hint password-strength password-error" autofocus/);
    expect(input(common, 'name')).toContain('value="Grete"');
    expect(input(common, 'email')).toContain(`value="${email}"`);

    const badAddress = await register(session, app, common, { email: 'grete@', name: 'Grete', password: 'tangerine wolf quietly paints' });
    expect(fieldError(badAddress, 'email')).toBe('Geben Sie eine E-Mail-Adresse wie name@example.com ein.');
    expect(focused(badAddress)).toEqual(['email']);
    expect(fieldError(badAddress, 'password')).toBeUndefined();
  });

  it('puts a wrong mailed code under the code field', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const sent = await submitForm(session, app, page, '/email-code', { email: user.email });
    const wrong = await submitForm(session, app, sent, '/code', { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(fieldError(wrong, 'code')).toMatch(/That code is not right/);
    expect(input(wrong, 'code')).toMatch(/aria-invalid="true" aria-describedby="code-error" autofocus/);
  });

  it('keeps a banner for what belongs to no field', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    let page = (await openSignIn(app, client, session)).page;
    for (let attempt = 0; attempt < 6; attempt++) page = await submitLogin(session, app, page, user.email, `wrong ${attempt}`);
    expect(page.status).toBe(429);
    expect(page.body).toMatch(/<p class="alert" role="alert">Too many attempts\. Try again in \d+ seconds\.<\/p>/);
    expect(page.body).not.toContain('aria-invalid');
  });
});
