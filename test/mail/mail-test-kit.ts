// Shared by the mail tests: a mailer that renders the fixture templates in test/fixtures/emails/
// over an app's own services, and small waits for what the worker does in the background.
import crypto from 'node:crypto';
import path from 'node:path';
import { createMail, type MailRequest } from '../../src/mail/index.ts';
import type { MailRow } from '../../src/queries/mail-outbox.ts';
import { projectRoot } from '../helpers/processes.ts';
import type { TestApp } from '../helpers/start-app.ts';

export const LINK = 'https://rp.example.test/continue?token=one-time-abc123&step=2';

export function fixtureMail(app: TestApp) {
  const { config, queries, secretBox, log } = app.services;
  return createMail({ config, queries, secretBox, log, templatesDirectory: path.join(projectRoot, 'test/fixtures/emails') });
}

export const uniqueAddress = (name: string) => `${name}-${crypto.randomBytes(4).toString('hex')}@example.test`;

export const greeting = (to: string, name = 'Ada'): MailRequest => ({
  to,
  subject: 'Continue signing in',
  template: 'greeting',
  data: { name, link: LINK, expiresInMinutes: 15 },
});

export async function findMailRow(app: TestApp, to: string): Promise<MailRow | undefined> {
  return app.services.db.knex<MailRow>('mail_outbox').where({ to_address: to }).first();
}

/** Polls until check returns something truthy, or fails after timeoutMs. */
export async function until<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
