// Hands a rendered mail to the SMTP server of SMTP_URL (nodemailer), or, with SMTP_URL unset
// in development, writes it to the log and counts it as delivered.
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  /** True for the development outbox: delivered mails keep their bodies for /dev/mail. */
  development: boolean;
  /** Describes a send failure in one short line without credentials or mail content. */
  describeError(error: unknown): string;
}

// Well below the outbox lease, so that a hanging server fails the attempt before another worker may retry.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
const ERROR_LENGTH = 300;

export function createMailTransport({ smtpUrl, mailFrom, log }: { smtpUrl: string | undefined; mailFrom: { header: string; address: string }; log: Logger }): MailTransport {
  if (!smtpUrl) {
    return {
      development: true,
      async send({ to, subject, text }) {
        log.info({ mail: { to, subject, text } }, 'development mail (SMTP_URL is unset, so it is only logged and shown at /dev/mail)');
      },
      describeError: (error) => String((error as Error)?.message ?? error).slice(0, ERROR_LENGTH),
    };
  }

  // nodemailer's messages can quote the connection settings: strip the URL and its credentials.
  const url = new URL(smtpUrl);
  const credentials = [smtpUrl, url.password, decodeURIComponent(url.password), url.username, decodeURIComponent(url.username)]
    .filter((value) => value.length >= 3);
  const transporter = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS }, { from: mailFrom.header });
  return {
    development: false,
    async send({ to, subject, text, html }) {
      // The recipient is one address, never a string for nodemailer to parse into names, lists or
      // groups; the explicit envelope makes sure it is the only RCPT TO.
      await transporter.sendMail({ to: { name: '', address: to }, subject, text, html, envelope: { from: mailFrom.address, to: [to] } });
    },
    describeError(error) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      let line = [typeof code === 'string' ? code : undefined, String(message ?? error)].filter(Boolean).join(': ');
      for (const credential of credentials) line = line.split(credential).join('[redacted]');
      return line.replace(/\s+/g, ' ').slice(0, ERROR_LENGTH);
    },
  };
}
