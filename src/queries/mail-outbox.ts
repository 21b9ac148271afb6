// SQL for mail_outbox: queued mail, leased by one worker at a time (for update skip locked),
// so that with several processes each mail is sent once.
import type { Knex } from 'knex';
import { leaseDueRows } from './outbox-lease.ts';

export interface MailRow {
  id: string;
  to_address: string;
  subject: string;
  template: string;
  /** The language it was written in. */
  language: string;
  body_sealed: string | null;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date | null;
  locked_until: Date | null;
  sent_at: Date | null;
  last_error: string | null;
}

export type NewMail = Pick<MailRow, 'id' | 'to_address' | 'subject' | 'template' | 'language'> & { body_sealed: string };

export interface OutboxHealth {
  /** Not sent yet, still being tried. */
  pending: number;
  /** When the oldest of those was queued. */
  oldestPending: Date | null;
  /** Of those, the ones whose last attempt failed. */
  retrying: number;
  /** Given up on (kept until the outbox sweep removes them). */
  givenUp: number;
}

export function createMailOutboxQueries(db: Knex) {
  return {
    /** Queues a mail, due at once. */
    async insertMail(mail: NewMail): Promise<void> {
      await db.raw(
        `insert into mail_outbox (id, to_address, subject, template, language, body_sealed, next_attempt_at)
         values (:id, :to_address, :subject, :template, :language, :body_sealed, now())`,
        mail,
      );
    },

    /** Leases up to `limit` due mails that nobody else holds, counting the attempt (see outbox-lease.ts). */
    claimDueMails: (limit: number, leaseSeconds: number) => leaseDueRows<MailRow>(db, 'mail_outbox', 'sent_at', limit, leaseSeconds),

    /** Records delivery; the body is dropped unless the development outbox still shows it. */
    async markMailSent(id: string, { keepBody }: { keepBody: boolean }): Promise<void> {
      await db('mail_outbox').where({ id }).update({
        sent_at: db.fn.now(),
        next_attempt_at: null,
        locked_until: null,
        last_error: null,
        ...(keepBody ? {} : { body_sealed: null }),
      });
    },

    /** Schedules the next attempt, or with `retryInSeconds` null gives up and drops the body. */
    async markMailFailed(id: string, retryInSeconds: number | null, error: string): Promise<void> {
      await db('mail_outbox').where({ id }).update({
        next_attempt_at: retryInSeconds === null ? null : db.raw('now() + make_interval(secs => ?::int)', [retryInSeconds]),
        locked_until: null,
        last_error: error,
        ...(retryInSeconds === null ? { body_sealed: null } : {}),
      });
    },

    async listRecentMails(limit: number): Promise<MailRow[]> {
      return db<MailRow>('mail_outbox').orderBy('created_at', 'desc').orderBy('id').limit(limit);
    },

    /** The outbox's health, for the metrics and the console's overview: unsent mail only, which the partial index (where sent_at is null) holds. */
    async summariseOutbox(): Promise<OutboxHealth> {
      const result = await db.raw<{ rows: Array<{ pending: number; oldest_pending: Date | null; retrying: number; given_up: number }> }>(
        `select (count(*) filter (where next_attempt_at is not null))::int as pending,
                min(created_at) filter (where next_attempt_at is not null) as oldest_pending,
                (count(*) filter (where next_attempt_at is not null and last_error is not null))::int as retrying,
                (count(*) filter (where next_attempt_at is null))::int as given_up
         from mail_outbox where sent_at is null`,
      );
      const row = result.rows[0]!;
      return {
        pending: Number(row.pending),
        oldestPending: row.oldest_pending ? new Date(row.oldest_pending) : null,
        retrying: Number(row.retrying),
        givenUp: Number(row.given_up),
      };
    },

    /** Deletes mails sent or given up more than `olderThanSeconds` ago. */
    async deleteOldMails(olderThanSeconds: number): Promise<number> {
      return db('mail_outbox')
        .whereRaw('sent_at < now() - make_interval(secs => ?::int)', [olderThanSeconds])
        .orWhereRaw('sent_at is null and next_attempt_at is null and created_at < now() - make_interval(secs => ?::int)', [olderThanSeconds])
        .delete();
    },
  };
}
