// Steps through the account area over real HTTP as a person would: sign in on Latchkey's own
// page when sent there (password, then the app code if the account has one), set up an app.
import crypto from 'node:crypto';
import { generate } from 'otplib';
import { expect } from 'vitest';
import { submitForm } from './hosted-pages.ts';
import { formAction, type HttpSession, type PageResponse } from './http-session.ts';
import { submitLogin } from './oidc-flow.ts';
import type { TestApp } from './start-app.ts';

/** The secret as the enrolment page shows it (grouped for reading), without the spaces. */
export const secretOn = (page: PageResponse) => page.body.match(/id="totp-secret">([A-Z2-7 ]+)</)?.[1]?.replace(/ /g, '');

/** An app code of the step after now: a step the enrolment's own code has not used up. */
export const nextStepCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

/** Opens `path`, signing in on the way when sent to Latchkey's sign-in. */
export async function openSignedIn(app: TestApp, session: HttpSession, user: { email: string; password: string }, path = '/account/security', totpSecret?: string) {
  let page = await session.follow(`${app.url}${path}`, app.url);
  if (formAction(page.body, '/login')) page = await submitLogin(session, app, page, user.email, user.password);
  if (formAction(page.body, '/mfa/totp')) {
    expect(totpSecret, 'the sign-in asks for an app code').toBeTruthy();
    page = await submitForm(session, app, page, '/mfa/totp', { code: await nextStepCode(totpSecret!) });
  }
  return page;
}

/** Makes this browser's sign-in `seconds` old, as if the person had signed in that long ago. */
export async function ageSignIn(app: TestApp, session: HttpSession, seconds: number) {
  const cookie = session.cookie('lk_session');
  expect(cookie, 'a provider session cookie').toBeTruthy();
  const id = crypto.createHash('sha256').update(cookie!.value).digest('base64url');
  const knex = app.services.db.knex;
  const updated = await knex('oidc_payloads').where({ model: 'Session', id })
    .update({ payload: knex.raw(`jsonb_set(payload, '{loginTs}', to_jsonb(?::bigint))`, [Math.floor(Date.now() / 1000) - seconds]) });
  expect(updated).toBe(1);
}

/** Sets up an authenticator app from the account security page. */
export async function enrolTotp(app: TestApp, session: HttpSession, security: PageResponse) {
  const enrolment = await submitForm(session, app, security, '/account/security/totp');
  expect(enrolment.status).toBe(200);
  const secret = secretOn(enrolment);
  expect(secret, 'the secret is shown as text').toMatch(/^[A-Z2-7]{32}$/);
  const done = await submitForm(session, app, enrolment, '/account/security/totp/confirm', { code: await generate({ secret: secret! }) });
  return { enrolment, secret: secret!, done };
}
