// The loop behind every outbox (mail, back-channel logouts): lease a batch of due rows, deliver
// them side by side, go on at once after a full batch, else poll again shortly. Leasing is the
// outbox's own query (for update skip locked), so any number of processes may run one each.
import type { Logger } from 'pino';

/** Seconds to wait after the given number of failed attempts (1, 2, …): doubling from `first` up to `max`. */
export const backoffSeconds = (failedAttempts: number, { first, max }: { first: number; max: number }) =>
  Math.min(max, first * 2 ** Math.min(failedAttempts - 1, 20));

export interface RetryRules {
  firstRetrySeconds: number;
  maxRetrySeconds: number;
  /** A row still undelivered this long after it was queued is given up. */
  giveUpAfterSeconds: number;
}

/** After a failed attempt: seconds until the next one, or null to give up (the row is too old). */
export function nextAttemptIn(row: { created_at: Date; attempts: number }, rules: RetryRules): number | null {
  if (Date.now() - row.created_at.getTime() >= rules.giveUpAfterSeconds * 1000) return null;
  return backoffSeconds(row.attempts, { first: rules.firstRetrySeconds, max: rules.maxRetrySeconds });
}

export interface OutboxWorkerOptions<Row> {
  /** For the log: what the outbox holds ('mail delivery'). */
  name: string;
  /** Leases up to `limit` due rows. */
  claim(limit: number): Promise<Row[]>;
  /** Delivers one row and records the outcome; true when delivered. Never throws for a failed delivery. */
  deliver(row: Row): Promise<boolean>;
  batchSize: number;
  pollMs: number;
  log: Logger;
}

export function createOutboxWorker<Row>({ name, claim, deliver, batchSize, pollMs, log }: OutboxWorkerOptions<Row>) {
  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let wakeRequested = false;

  /** One pass over the due rows: how many were delivered and how many failed. */
  async function deliverDue(): Promise<{ sent: number; failed: number }> {
    const counts = { sent: 0, failed: 0 };
    for (;;) {
      const batch = await claim(batchSize);
      for (const sent of await Promise.all(batch.map(deliver))) counts[sent ? 'sent' : 'failed'] += 1;
      // A stopping worker leaves the rest of a backlog to the other processes or the next start.
      if (batch.length < batchSize || stopping) return counts;
    }
  }

  function runPass(): void {
    clearTimeout(timer);
    if (!started) return;
    if (inFlight) {
      wakeRequested = true; // rows queued during this pass: look again right after it
      return;
    }
    inFlight = deliverDue()
      .then(() => undefined, (error: unknown) => { log.error({ err: error }, `${name} pass failed`); })
      .finally(() => {
        inFlight = undefined;
        if (!started) return;
        timer = setTimeout(runPass, wakeRequested ? 0 : pollMs);
        timer.unref();
        wakeRequested = false;
      });
  }

  return {
    deliverDue,
    /** Polls for due rows every `pollMs` until stopped. */
    start(): void {
      if (started) return;
      started = true;
      runPass();
    },
    /** Stops polling and waits for the pass in flight, so no delivery is cut off by closing the database. */
    async stop(): Promise<void> {
      started = false;
      stopping = true;
      clearTimeout(timer);
      await inFlight;
      stopping = false;
    },
    /** Starts a pass now instead of at the next poll (a running worker only). */
    wake: runPass,
  };
}
