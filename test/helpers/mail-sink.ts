// A real SMTP server in the test process (smtp-server, no TLS, any or no login) that parses what
// it receives (mailparser), so tests read the mails Latchkey sends as a recipient would.
import type { AddressInfo } from 'node:net';
import { domainToASCII } from 'node:url';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface MailSink {
  port: number;
  /** SMTP_URL that reaches this sink. */
  url: string;
  /** Mails received and not yet taken by next(), oldest first. */
  mails: ParsedMail[];
  /** Waits for the first mail to `to` (envelope or To header, any letter case), removes it from `mails` and returns it. */
  next(to: string, timeoutMs?: number): Promise<ParsedMail>;
  /** The RCPT TO addresses the mail was sent to, as the SMTP client gave them. */
  envelopeTo(mail: ParsedMail): string[];
  close(): Promise<void>;
}

/** One form for comparing addresses: lower case, the domain in ASCII (mailparser shows punycode domains in Unicode). */
const comparable = (address: string) => {
  const at = address.lastIndexOf('@');
  return at < 0 ? address.toLowerCase() : `${address.slice(0, at).toLowerCase()}@${domainToASCII(address.slice(at + 1))}`;
};

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((object) => object.value.map((entry) => entry.address ?? ''));

/** Listens on 127.0.0.1, on a free port unless told which (to bring a server back where one was down). */
export async function startMailSink({ port = 0 }: { port?: number } = {}): Promise<MailSink> {
  const mails: ParsedMail[] = [];
  const recipients = new WeakMap<ParsedMail, string[]>();
  const envelopes = new WeakMap<ParsedMail, string[]>();
  const waiting = new Set<() => void>();

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true, // tests may put credentials in SMTP_URL; nothing leaves this machine
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        envelopes.set(mail, session.envelope.rcptTo.map((rcpt) => rcpt.address));
        recipients.set(mail, [...session.envelope.rcptTo.map((rcpt) => rcpt.address), ...addresses(mail.to)].map(comparable));
        mails.push(mail);
        for (const wake of waiting) wake();
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const listening = (server.server.address() as AddressInfo).port;

  const take = (to: string) => {
    const index = mails.findIndex((mail) => recipients.get(mail)?.includes(comparable(to)));
    return index === -1 ? undefined : mails.splice(index, 1)[0];
  };

  return {
    port: listening,
    url: `smtp://127.0.0.1:${listening}`,
    mails,
    next(to, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const mail = take(to);
          if (!mail) return;
          cleanUp();
          resolve(mail);
        };
        const timer = setTimeout(() => {
          cleanUp();
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms (${mails.length} other mails waiting)`));
        }, timeoutMs);
        const cleanUp = () => {
          clearTimeout(timer);
          waiting.delete(check);
        };
        waiting.add(check);
        check();
      });
    },
    envelopeTo: (mail) => envelopes.get(mail) ?? [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
