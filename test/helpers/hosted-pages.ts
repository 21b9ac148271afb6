// Steps through Latchkey's own pages for registration, mailed codes and password reset, as a
// person would: open the page, fill its form (with its CSRF token), follow what comes back.
import { expect } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { HttpSession, formAction, type PageResponse } from './http-session.ts';
import { startMailSink } from './mail-sink.ts';
import { authorizationRequest, registerClient, type TestClient } from './oidc-flow.ts';
import { startApp, type TestApp } from './start-app.ts';

export const NEW_PASSWORD = 'tangerine wolf quietly paints';

/** An app that mails to its own SMTP sink, with one registered client. */
export async function startAppWithMail(env: Record<string, string> = {}) {
  const sink = await startMailSink();
  const app = await startApp({ env: { SMTP_URL: sink.url, ...env } });
  return {
    app, sink, client: await registerClient(app),
    async close() {
      await app.close();
      await sink.close();
    },
  };
}

/** Runs `test` against an app started with other settings (and its own SMTP sink), closed afterwards. */
export async function withAppAndMail(env: Record<string, string>, test: (started: Awaited<ReturnType<typeof startAppWithMail>>) => Promise<void>) {
  const started = await startAppWithMail(env);
  try {
    await test(started);
  } finally {
    await started.close();
  }
}

/** The hidden inputs of the form that posts to `pathEnd`, by its action or a button's formaction. */
function hiddenFields(html: string, pathEnd: string): Record<string, string> {
  const forms = [...html.matchAll(/<form[^>]*>[\s\S]*?<\/form>/g)].map(([form]) => form);
  const form = forms.find((f) => new RegExp(`^<form[^>]*action="[^"]*${pathEnd}"`).test(f))
    ?? forms.find((f) => new RegExp(`formaction="[^"]*${pathEnd}"`).test(f)) ?? '';
  const hidden = [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)];
  return Object.fromEntries(hidden.map(([, name, value]) => [name!, value!.replace(/&#34;/g, '"').replace(/&amp;/g, '&')]));
}

/** Submits the form on `page` whose action ends with `pathEnd`, with its hidden fields, as a browser would. */
export async function submitForm(session: HttpSession, app: TestApp, page: PageResponse, pathEnd: string, fields: Record<string, string> = {}) {
  const action = formAction(page.body, pathEnd);
  expect(action, `no form for ${pathEnd} at ${page.url} (${page.status}): ${page.body.slice(0, 400)}`).toBeTruthy();
  return session.submit(new URL(action!.replace(/&amp;/g, '&'), app.url).href, { ...hiddenFields(page.body, pathEnd), ...fields }, app.url);
}

/** Starts an authorization request and returns its sign-in page. */
export async function openSignIn(app: TestApp, client: TestClient, session: HttpSession, params: Record<string, string> = {}) {
  const request = authorizationRequest(app, client, params);
  return { request, page: await session.follow(request.url, app.url) };
}

export async function openRegistration(app: TestApp, client: TestClient, session: HttpSession, params: Record<string, string> = {}) {
  const { request, page: login } = await openSignIn(app, client, session, params);
  const link = login.body.match(/href="(\/interaction\/[^"]+\/register)"/)?.[1];
  expect(link, 'the sign-in page links to registration').toBeTruthy();
  return { request, page: await session.request(new URL(link!, app.url).href) };
}

export function register(session: HttpSession, app: TestApp, page: PageResponse, fields: { email: string; name?: string; password?: string }) {
  return submitForm(session, app, page, '/register', { name: fields.name ?? 'Grace Hopper', email: fields.email, password: fields.password ?? NEW_PASSWORD });
}

/** The 6-digit code of a mail, as a person reads it. */
export function codeIn(mail: ParsedMail): string {
  const code = mail.text?.match(/\b(\d{6})\b/)?.[1];
  expect(code, `no code in mail: ${mail.text}`).toBeTruthy();
  return code!;
}

/** The first link of a mail's text part whose path starts with `path`. */
export function linkIn(mail: ParsedMail, path: string): string {
  const link = (mail.text?.match(/https?:\/\/\S+/g) ?? []).find((url) => new URL(url).pathname === path);
  expect(link, `no ${path} link in mail: ${mail.text}`).toBeTruthy();
  return link!;
}

let emails = 0;
export const uniqueEmail = (who = 'person') => `${who}.${process.pid}.${Date.now()}.${(emails += 1)}@example.test`;
