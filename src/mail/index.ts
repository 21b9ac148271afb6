// The app's mail: enqueue() renders a mail, in the language of the page that caused it, and
// queues it in the caller's transaction (sealed, since mails carry one-time links and codes,
// with its language beside it); a worker in each server process delivers the outbox.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/env.ts';
import { DEFAULT_LANGUAGE, supportedLanguage } from '../libraries/i18n/languages.ts';
import { requestLanguage } from '../libraries/i18n/request-language.ts';
import type { SecretBox } from '../libraries/secret-box.ts';
import type { Queries } from '../queries/index.ts';
import { createMailDelivery } from './delivery.ts';
import { createMailRenderer } from './templates.ts';
import { createMailTransport } from './transport.ts';

export interface MailRequest {
  to: string;
  /** A catalogue key (mail.<template>.subject); the product's name goes in as {{product}}. */
  subject: string;
  /** Names views/emails/<template>.html.ejs and .text.ejs. */
  template: string;
  data: Record<string, unknown>;
  /** The language the recipient's account last used, for a mail no page caused (an administrator's, a worker's). */
  accountLanguage?: string | null;
}

export interface OutboxEntry {
  id: string;
  to: string;
  subject: string;
  template: string;
  createdAt: Date;
  status: 'sent' | 'queued' | 'given up';
  attempts: number;
  /** The plain-text body, while it is still stored. */
  text: string | undefined;
}

// Time for the enqueuing transaction to commit before the worker looks; the poll catches slower ones.
const WAKE_AFTER_ENQUEUE_MS = 100;

export function createMail({ config, queries, secretBox, log, templatesDirectory }: {
  config: Config;
  queries: Queries;
  secretBox: SecretBox;
  log: Logger;
  /** Where the mail templates are (default views/emails/). */
  templatesDirectory?: string;
}) {
  const render = createMailRenderer({ issuer: config.issuer, productName: config.brand.name, directory: templatesDirectory });
  const transport = createMailTransport({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, log });
  const delivery = createMailDelivery({ queries, secretBox, transport, log });

  return {
    /** True when mail is only logged and listed at /dev/mail (development without SMTP_URL). */
    developmentOutbox: transport.development && !config.production,

    /**
     * Queues a mail through `q`, which may be bound to a transaction: the mail then exists if and
     * only if the transaction commits. A template that fails to render throws before anything is written.
     */
    async enqueue(q: Queries, { to, subject, template, data, accountLanguage }: MailRequest): Promise<void> {
      // the language of the page that caused the mail; else the one the account last used; else English
      const language = requestLanguage()?.tag ?? supportedLanguage(accountLanguage ?? undefined) ?? DEFAULT_LANGUAGE;
      const body = await render(template, { subject, language, data });
      await q.mailOutbox.insertMail({
        id: crypto.randomUUID(), to_address: to, subject: body.subject, template, language, body_sealed: secretBox.seal('mail', JSON.stringify(body)),
      });
      setTimeout(delivery.wake, WAKE_AFTER_ENQUEUE_MS).unref();
    },

    deliverDueMails: delivery.deliverDueMails,
    wake: delivery.wake,
    startWorker: delivery.startWorker,
    stopWorker: delivery.stopWorker,

    /** The newest mails with their text bodies, for the development outbox page. */
    async listRecentMails(limit = 50): Promise<OutboxEntry[]> {
      const rows = await queries.mailOutbox.listRecentMails(limit);
      return rows.map((row) => ({
        id: row.id,
        to: row.to_address,
        subject: row.subject,
        template: row.template,
        createdAt: row.created_at,
        status: row.sent_at ? 'sent' : row.next_attempt_at ? 'queued' : 'given up',
        attempts: row.attempts,
        text: row.body_sealed ? (JSON.parse(secretBox.open('mail', row.body_sealed)) as { text: string }).text : undefined,
      }));
    },
  };
}

export type Mail = ReturnType<typeof createMail>;
