// One authorization request asks for each thing once: prompt=login (or max_age=0) means one
// fresh sign-in, with its second factor where the account has one, then consent if the client
// still needs it, then the code; never the sign-in page a second time.
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignIn, startAppWithMail, submitForm } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import { authorize, createUser, redeemCode, registerClient, submitConsent, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let close: () => Promise<void>;
beforeAll(async () => ({ app, close } = await startAppWithMail()));
afterAll(() => close?.());

/** A client this person has not allowed yet, so the request ends with consent. */
const freshClient = () => registerClient(app, { name: `Needs consent ${Math.random()}` });

async function expectCodeAfterConsent(session: HttpSession, client: TestClient, page: Awaited<ReturnType<typeof submitLogin>>, verifier: string) {
  expect(formAction(page.body, '/consent'), page.body.slice(0, 400)).toBeTruthy();
  const done = await submitConsent(session, app, page);
  expect(done.location, `back at ${done.url}: ${done.body.slice(0, 300)}`).toMatch(/^http:\/\/localhost:9\/cb\?code=/);
  const tokens = await redeemCode(app, client, new URL(done.location!).searchParams.get('code')!, verifier);
  expect(tokens.status).toBe(200);
}

describe.each([['prompt=login', { prompt: 'login' }], ['max_age=0', { max_age: '0' }]])('%s', (_name, params) => {
  it('asks a password-only account for its password once, then consent, then returns the code', async () => {
    const user = await createUser(app);
    const session = new HttpSession();
    await authorize(app, await registerClient(app), user, { session }); // already signed in elsewhere
    const client = await freshClient();
    const { request, page } = await openSignIn(app, client, session, params);
    expect(formAction(page.body, '/login')).toBeTruthy();
    await expectCodeAfterConsent(session, client, await submitLogin(session, app, page, user.email, user.password), request.verifier);
  });

  it('asks an account with an authenticator app for the password and one code, then consent', async () => {
    const user = await createUser(app);
    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
    await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
    const client = await freshClient();
    const session = new HttpSession();
    const { request, page } = await openSignIn(app, client, session, params);
    const challenge = await submitLogin(session, app, page, user.email, user.password);
    expect(challenge.body).toContain('Two-step verification');
    const consent = await submitForm(session, app, challenge, '/mfa/totp', { code: await generate({ secret: enrolment.secret }) });
    await expectCodeAfterConsent(session, client, consent, request.verifier);
  });
});
