// Periodic clean-up shared safely by any number of processes: expired provider records,
// keys past their publication, throttle counters nobody has touched for a day, mail sent a week
// ago (back-channel logouts too), mailed codes and links a day after they expired, WebAuthn challenges and abandoned
// authenticator set-ups, audit events past AUDIT_RETENTION_DAYS.
import type { Logger } from 'pino';
import type { Queries } from '../queries/index.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { Webauthn } from './mfa/webauthn.ts';
import type { OneTimeSecrets } from './one-time-secrets.ts';
import type { SigningKeys } from './signing-keys.ts';
import type { Throttle } from './throttle.ts';

const BATCH = 1000;
/** Sent (or given-up) mail and back-channel logouts stay this long, for operators looking into a delivery. */
const MAIL_KEPT_SECONDS = 7 * 24 * 60 * 60;

export function createHousekeeping({ queries, signingKeys, throttle, oneTimeSecrets, webauthn, audit, log }: {
  queries: Queries; signingKeys: SigningKeys; throttle: Throttle; oneTimeSecrets: OneTimeSecrets; webauthn: Webauthn; audit: AuditLog; log: Logger;
}) {
  async function sweep(): Promise<{ payloads: number; keys: number; throttles: number; mails: number; backchannelLogouts: number; oneTimeSecrets: number; webauthnChallenges: number; totpEnrolments: number; auditEvents: number }> {
    let payloads = 0;
    for (let deleted = BATCH; deleted === BATCH;) {
      deleted = await queries.oidcPayloads.deleteExpiredPayloads(BATCH);
      payloads += deleted;
    }
    const keys = await signingKeys.deleteExpiredSigningKeys();
    const throttles = await throttle.sweep();
    const mails = await queries.mailOutbox.deleteOldMails(MAIL_KEPT_SECONDS);
    return {
      payloads, keys, throttles, mails,
      backchannelLogouts: await queries.backchannelLogouts.deleteOldBackchannelLogouts(MAIL_KEPT_SECONDS),
      oneTimeSecrets: await oneTimeSecrets.sweep(),
      webauthnChallenges: await webauthn.sweep(),
      totpEnrolments: await queries.totpFactors.deleteAbandonedTotpFactors(),
      auditEvents: await audit.sweep(),
    };
  }

  let timer: NodeJS.Timeout | undefined;
  return {
    sweep,
    /** Sweeps every few minutes, at a random offset so that processes do not sweep in step. */
    start(everyMs = 10 * 60 * 1000) {
      const run = () => {
        sweep()
          .then((counts) => log.debug(counts, 'housekeeping swept'))
          .catch((error: unknown) => log.error({ err: error }, 'housekeeping failed'))
          .finally(() => { timer = setTimeout(run, everyMs * (0.75 + Math.random() / 2)); timer.unref(); });
      };
      timer = setTimeout(run, everyMs * Math.random());
      timer.unref();
    },
    stop: () => clearTimeout(timer),
  };
}
