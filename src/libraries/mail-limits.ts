// How often Latchkey mails one address or mails on behalf of one IP: a short cooldown that
// grows with every send, so nobody can flood an inbox or use Latchkey to spam. Each kind of
// mail has its own cooldown: having just signed up must not stop a password reset.
import type { OneTimePurpose } from '../queries/one-time-secrets.ts';
import { RequestError } from './errors.ts';
import type { SecretBox } from './secret-box.ts';
import { ipBucket, type Throttle, type ThrottleSubject } from './throttle.ts';

const HOUR = 60 * 60;
export const mailSendRules = {
  /** Every send starts a cooldown: 1 min, then 2, 4 … up to an hour, forgotten after a quiet hour. */
  address: { limit: 1, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR },
  ip: { limit: 20, blockSeconds: 60, maxBlockSeconds: HOUR, quietSeconds: HOUR },
};

export function createMailLimits({ throttle, secretBox }: { throttle: Throttle; secretBox: SecretBox }) {
  const addressSubject = (purpose: OneTimePurpose, email: string): ThrottleSubject =>
    ({ key: `mail:address:${purpose}:${secretBox.tag('email', email)}`, rule: mailSendRules.address });
  const subjects = (purpose: OneTimePurpose, email: string, ip: string): ThrottleSubject[] => [
    addressSubject(purpose, email),
    { key: `mail:ip:${ipBucket(ip)}`, rule: mailSendRules.ip, shared: true },
  ];

  return {
    /** Counts a send of this kind to `email`; throws mail_cooldown (429) while the address or IP must wait. */
    async reserveSend(purpose: OneTimePurpose, email: string, ip: string): Promise<void> {
      try {
        await throttle.countAttempt(subjects(purpose, email, ip));
      } catch (error) {
        if (!(error instanceof RequestError) || error.code !== 'too_many_attempts') throw error;
        const seconds = Number(error.details.retryAfter);
        const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
        throw new RequestError('mail_cooldown', 429, `A mail was sent to this address a moment ago. You can ask for another in ${wait}.`, { retryAfter: seconds });
      }
    },

    /**
     * Seconds until another mail of this kind may go to `email` (0: now), for the page that offers
     * to send one. Counted whether or not the address has an account, so it tells nothing about that.
     */
    secondsUntilNextSend: (purpose: OneTimePurpose, email: string) => throttle.secondsBlocked(addressSubject(purpose, email)),

    /** Like reserveSend, but says whether to send instead of throwing: for sends nobody asked for explicitly. */
    async maySend(purpose: OneTimePurpose, email: string, ip: string): Promise<boolean> {
      try {
        await this.reserveSend(purpose, email, ip);
        return true;
      } catch (error) {
        if (error instanceof RequestError && error.code === 'mail_cooldown') return false;
        throw error;
      }
    },
  };
}

export type MailLimits = ReturnType<typeof createMailLimits>;
