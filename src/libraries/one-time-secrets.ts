// Issuing and checking the one-time secrets Latchkey mails: random 6-digit codes and link
// tokens, stored only as keyed hashes, single-use, expiring; a code allows a few attempts.
import crypto from 'node:crypto';
import type { Queries } from '../queries/index.ts';
import type { OneTimePurpose, OneTimeSecretRow } from '../queries/one-time-secrets.ts';
import { equalStrings } from './equal-strings.ts';
import { RequestError } from './errors.ts';
import type { SecretBox } from './secret-box.ts';
import { answerNoSoonerThan, STEADY_ANSWER_MS } from './steady-timing.ts';
import { ipBucket, type Throttle } from './throttle.ts';

const MINUTE = 60;
export const oneTimeLifetimes = {
  verifyEmailLink: 24 * 60 * MINUTE,
  verifyEmailCode: 10 * MINUTE,
  resetPasswordLink: 30 * MINUTE,
  signInCode: 10 * MINUTE,
  undoSecurityChangeLink: 7 * 24 * 60 * MINUTE,
};
/** Wrong entries one code survives; a new code must be sent after that. */
export const CODE_ATTEMPTS = 5;

/** Code entries from one IP, across addresses: limits guessing spread over many inboxes. */
export const codeEntryRule = { limit: 30, blockSeconds: 60, maxBlockSeconds: 60 * 60, quietSeconds: 60 * 60 };
/**
 * Wrong codes for one address, across codes: five a code would allow a patient guesser (a
 * registrant waiting for new codes) a fair chance in a year; this makes it a small one.
 */
export const codeAddressRule = { limit: 10, blockSeconds: 15 * 60, maxBlockSeconds: 24 * 60 * 60, quietSeconds: 24 * 60 * 60 };

const CODE_SHAPE = /^\d{6}$/;

export function createOneTimeSecrets({ queries, secretBox, throttle }: { queries: Queries; secretBox: SecretBox; throttle: Throttle }) {
  const codeHash = (id: string, code: string) => secretBox.tag('one-time-code', `${id}\n${code}`);
  const linkHash = (token: string) => secretBox.tag('one-time-link', token);

  return {
    /** A new code for this address and purpose; codes sent before it stop working. */
    async issueCode(q: Queries, secret: { purpose: OneTimePurpose; email: string; accountId: string | null; ttlSeconds: number }): Promise<string> {
      const id = crypto.randomUUID();
      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      await q.oneTimeSecrets.consumeOneTimeSecrets(secret.purpose, secret.email, 'code');
      await q.oneTimeSecrets.insertOneTimeSecret({
        id, purpose: secret.purpose, kind: 'code', account_id: secret.accountId, email: secret.email,
        secret_hash: codeHash(id, code), ttlSeconds: secret.ttlSeconds,
      });
      return code;
    },

    async issueLink(q: Queries, secret: { purpose: OneTimePurpose; email: string; accountId: string; ttlSeconds: number; details?: Record<string, unknown> }): Promise<string> {
      const token = crypto.randomBytes(32).toString('base64url');
      await q.oneTimeSecrets.insertOneTimeSecret({
        id: crypto.randomUUID(), purpose: secret.purpose, kind: 'link', account_id: secret.accountId, email: secret.email,
        secret_hash: linkHash(token), ttlSeconds: secret.ttlSeconds, details: secret.details,
      });
      return token;
    },

    /**
     * The live code row when `code` is right. Every entry counts against the code, in its
     * own statement, so a failed check still uses up an attempt. The caller consumes the row.
     * Steady timing: an address with no code (no account) must not answer faster.
     */
    checkCode: ({ purpose, email, code, ip }: { purpose: OneTimePurpose; email: string; code: unknown; ip: string }) => answerNoSoonerThan(STEADY_ANSWER_MS, async (): Promise<OneTimeSecretRow> => {
      const entered = typeof code === 'string' ? code.replace(/[\s-]/g, '') : '';
      if (!CODE_SHAPE.test(entered)) throw new RequestError('code_invalid', 400, 'Enter the 6-digit code from the mail.');
      const perIp = { key: `code:ip:${ipBucket(ip)}`, rule: codeEntryRule, shared: true };
      const perAddress = { key: `code:address:${purpose}:${secretBox.tag('email', email)}`, rule: codeAddressRule };
      const row = await throttle.guess([perIp, perAddress], async () => {
        const live = await queries.oneTimeSecrets.maybeFindLiveCode(purpose, email);
        if (!live) return undefined;
        const attempts = await queries.oneTimeSecrets.countCodeAttempt(live.id);
        if (attempts > CODE_ATTEMPTS) {
          throw new RequestError('code_exhausted', 400, 'This code was entered wrongly too many times. Ask for a new code.');
        }
        return equalStrings(live.secret_hash, codeHash(live.id, entered)) ? live : undefined;
      }, { reset: [perAddress] });
      if (!row) throw wrongCode();
      return row;
    }),

    /** The live link row for this token, or a clear error; the caller consumes the row. */
    async checkLink({ purpose, token }: { purpose: OneTimePurpose; token: unknown }): Promise<OneTimeSecretRow> {
      const row = typeof token === 'string' && /^[\w-]{43}$/.test(token)
        ? await queries.oneTimeSecrets.maybeFindLiveLink(purpose, linkHash(token))
        : undefined;
      if (!row) throw new RequestError('link_invalid', 400, 'This link has expired or was already used. Ask for a new one.', { messageKey: 'messages.linkUsedAskNew' });
      return row;
    },

    /**
     * Uses the secret up inside the caller's transaction; exactly one of two racing uses wins.
     * The other live secrets of its purpose and address go with it, unless each stands `alone`
     * (the "this wasn't me" link of each security notice).
     */
    async consume(q: Queries, row: OneTimeSecretRow, { alone = false } = {}): Promise<void> {
      if (!(await q.oneTimeSecrets.consumeOneTimeSecret(row.id))) {
        throw new RequestError(row.kind === 'code' ? 'code_used' : 'link_invalid', 400,
          row.kind === 'code' ? 'This code was already used. Ask for a new code.' : 'This link has expired or was already used. Ask for a new one.');
      }
      // A link and a code sent in one mail die together, and a reset link used ends the older ones.
      if (!alone) await q.oneTimeSecrets.consumeOneTimeSecrets(row.purpose, row.email);
    },

    sweep: () => queries.oneTimeSecrets.deleteExpiredOneTimeSecrets(),
  };
}

function wrongCode(): RequestError {
  return new RequestError('code_wrong', 400, 'That code is not right, or it has expired. Check the newest mail, or ask for a new code.');
}

export type OneTimeSecrets = ReturnType<typeof createOneTimeSecrets>;
