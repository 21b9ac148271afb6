// OpenID Connect Back-Channel Logout, delivered like mail. oidc-provider signs logout tokens
// and posts them from its end_session endpoint, at once and once; Latchkey instead queues every
// logout (the provider's own, and those of libraries/sign-out.ts, written in the transaction that
// ends the sessions) and a worker posts them, signing each attempt afresh (a token lives two
// minutes), retrying with backoff and logging each outcome.
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { createOutboxWorker, nextAttemptIn } from '../libraries/outbox-worker.ts';
import type { BackchannelLogoutRow } from '../queries/backchannel-logouts.ts';
import type { Queries } from '../queries/index.ts';
import type { ProviderHolder } from './provider.ts';

export const backchannelRules = {
  pollMs: 1000,
  batchSize: 10,
  /** Outlasts a post that runs into the provider's 2.5 s timeout many times over. */
  leaseSeconds: 60,
  firstRetrySeconds: 10,
  maxRetrySeconds: 60 * 60,
  /** After a day the application has had every chance; its own sessions have likely ended too. */
  giveUpAfterSeconds: 24 * 60 * 60,
};

type SendLogout = (this: InstanceType<Provider['Client']>, sub: string, sid: string | undefined) => Promise<void>;

/** Each provider instance's own sender, kept when the queueing one replaces it. */
const senders = new WeakMap<Provider, SendLogout>();

/**
 * Makes a provider instance queue the logouts its end_session endpoint sends (the provider
 * waits only for the row to be written), keeping its own sender for the worker. An application
 * without a sid in the session only asked (prompt=none) and never saw the person: it gets none.
 * Should the row fail to be written, the logout is sent at once instead (once, as the provider would).
 */
export function queueProviderLogouts(provider: Provider, queries: Queries, log: Logger, queued: () => void): void {
  const prototype = provider.Client.prototype as unknown as { backchannelLogout: SendLogout };
  const send = prototype.backchannelLogout;
  senders.set(provider, send);
  prototype.backchannelLogout = async function queue(sub, sid) {
    if (!sid) return;
    try {
      await queries.backchannelLogouts.queueBackchannelLogouts(sub, [{ clientId: this.clientId, sid }]);
      queued();
    } catch (error) {
      log.error({ err: error, client_id: this.clientId }, 'could not queue a back-channel logout; sending it now, once');
      await send.call(this, sub, sid);
    }
  };
  provider.on('backchannel.error', (_ctx, error, client) => log.error({ err: error, client_id: client.clientId }, 'back-channel logout not sent'));
}

/** Why a post failed, without the logout URI's query (which may carry a secret of the application's). */
function describeFailure(error: unknown, uri: string): string {
  const failure = error as { message?: string; cause?: { message?: string; code?: string } };
  const reason = [failure.message, failure.cause?.message ?? failure.cause?.code].filter(Boolean).join(': ') || String(error);
  const url = URL.parse(uri);
  return url ? reason.replaceAll(uri, `${url.origin}${url.pathname}`).replaceAll(url.href, `${url.origin}${url.pathname}`) : reason;
}

export function createBackchannelLogoutDelivery({ queries, provider, log }: { queries: Queries; provider: ProviderHolder; log: Logger }) {
  async function giveUpOrRetry(row: BackchannelLogoutRow, reason: string, { retry }: { retry: boolean }): Promise<false> {
    const context = { logout_id: row.id, client_id: row.client_id, attempts: row.attempts, error: reason };
    const retryIn = retry ? nextAttemptIn(row, backchannelRules) : null;
    await queries.backchannelLogouts.markBackchannelLogoutFailed(row.id, retryIn, reason);
    if (retryIn === null) log.error(context, 'gave up delivering a back-channel logout');
    else log.warn({ ...context, retry_in_s: retryIn }, 'back-channel logout failed; will retry');
    return false;
  }

  async function deliver(row: BackchannelLogoutRow): Promise<boolean> {
    const current = provider.current;
    let client: Awaited<ReturnType<typeof current.Client.find>>;
    try {
      client = await current.Client.find(row.client_id);
    } catch (error) {
      return giveUpOrRetry(row, `the application could not be loaded: ${(error as Error).message}`, { retry: true });
    }
    if (!client?.backchannelLogoutUri) return giveUpOrRetry(row, 'the application is gone or no longer takes back-channel logouts', { retry: false });
    try {
      await senders.get(current)!.call(client, row.account_id, row.sid ?? undefined);
    } catch (error) {
      return giveUpOrRetry(row, describeFailure(error, client.backchannelLogoutUri), { retry: true });
    }
    await queries.backchannelLogouts.markBackchannelLogoutDelivered(row.id);
    log.info({ logout_id: row.id, client_id: row.client_id, attempts: row.attempts }, 'back-channel logout delivered');
    return true;
  }

  const worker = createOutboxWorker({
    name: 'back-channel logout delivery',
    claim: (limit) => queries.backchannelLogouts.claimDueBackchannelLogouts(limit, backchannelRules.leaseSeconds),
    deliver,
    batchSize: backchannelRules.batchSize,
    pollMs: backchannelRules.pollMs,
    log,
  });

  return {
    /** One pass over the due logouts: how many were delivered and how many failed. */
    deliverDueLogouts: worker.deliverDue,
    startWorker: worker.start,
    stopWorker: worker.stop,
    wake: worker.wake,
  };
}

export type BackchannelLogoutDelivery = ReturnType<typeof createBackchannelLogoutDelivery>;
