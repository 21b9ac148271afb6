// Delivers the outbox: leases due mails, sends them, and on failure retries with exponential
// backoff until the mail is a few days old. Any number of processes may run this at once.
import type { Logger } from 'pino';
import { backoffSeconds, createOutboxWorker, nextAttemptIn } from '../libraries/outbox-worker.ts';
import type { SecretBox } from '../libraries/secret-box.ts';
import type { Queries } from '../queries/index.ts';
import type { MailRow } from '../queries/mail-outbox.ts';
import type { RenderedMail } from './templates.ts';
import type { MailTransport } from './transport.ts';

export const deliveryRules = {
  /** How often an idle worker looks for due mail. */
  pollMs: 1000,
  /** Mails leased per query and sent side by side; a full batch is followed at once by the next. */
  batchSize: 5,
  /** Outlasts a send that runs into every SMTP timeout; a dead worker's mails come back after it. */
  leaseSeconds: 5 * 60,
  /** First retry after this, doubling with every failed attempt up to the longest wait. */
  firstRetrySeconds: 30,
  maxRetrySeconds: 60 * 60,
  /** A mail still undelivered this long after it was queued is given up (and logged as an error). */
  giveUpAfterSeconds: 3 * 24 * 60 * 60,
};

/** Seconds to wait after the given number of failed attempts (1, 2, …). */
export const retryDelaySeconds = (failedAttempts: number) =>
  backoffSeconds(failedAttempts, { first: deliveryRules.firstRetrySeconds, max: deliveryRules.maxRetrySeconds });

export function createMailDelivery({ queries, secretBox, transport, log }: { queries: Queries; secretBox: SecretBox; transport: MailTransport; log: Logger }) {
  async function deliver(mail: MailRow): Promise<boolean> {
    try {
      if (!mail.body_sealed) throw new Error('the mail has no body');
      const body = JSON.parse(secretBox.open('mail', mail.body_sealed)) as RenderedMail;
      await transport.send({ to: mail.to_address, subject: mail.subject, text: body.text, html: body.html });
    } catch (error) {
      const reason = transport.describeError(error);
      const context = { mail_id: mail.id, template: mail.template, attempts: mail.attempts, error: reason };
      const retryIn = nextAttemptIn(mail, deliveryRules);
      await queries.mailOutbox.markMailFailed(mail.id, retryIn, reason);
      if (retryIn === null) log.error(context, 'gave up delivering a mail');
      else log.warn({ ...context, retry_in_s: retryIn }, 'mail delivery failed; will retry');
      return false;
    }
    await queries.mailOutbox.markMailSent(mail.id, { keepBody: transport.development });
    log.info({ mail_id: mail.id, template: mail.template, attempts: mail.attempts }, 'mail delivered');
    return true;
  }

  const worker = createOutboxWorker({
    name: 'mail delivery',
    claim: (limit) => queries.mailOutbox.claimDueMails(limit, deliveryRules.leaseSeconds),
    deliver,
    batchSize: deliveryRules.batchSize,
    pollMs: deliveryRules.pollMs,
    log,
  });

  return {
    /** One pass over the due mails: returns how many were sent and how many failed. */
    deliverDueMails: worker.deliverDue,
    /** Polls for due mail about every second until stopped. */
    startWorker: worker.start,
    /** Stops polling and waits for the pass in flight, so no send is cut off by closing the database. */
    stopWorker: worker.stop,
    /** Starts a pass now instead of at the next poll (a running worker only). */
    wake: worker.wake,
  };
}
