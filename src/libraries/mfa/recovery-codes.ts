// Recovery codes: ten single-use codes shown once, for when the authenticator or passkey is
// lost. Stored only as keyed hashes; a new set replaces the old one entirely.
import crypto from 'node:crypto';
import type { Queries } from '../../queries/index.ts';
import type { SecretBox } from '../secret-box.ts';

export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: codes are read off paper and typed.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUP = 5;

/** "k7m2q-x9bdt": 10 characters of a 31-letter alphabet, about 50 bits. */
function newCode(): string {
  const letters = Array.from({ length: GROUP * 2 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join('');
  return `${letters.slice(0, GROUP)}-${letters.slice(GROUP)}`;
}

const normalise = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

export function createRecoveryCodes({ queries, secretBox }: { queries: Queries; secretBox: SecretBox }) {
  const hash = (accountId: string, code: string) => secretBox.tag('recovery-code', `${accountId}\n${normalise(code)}`);

  return {
    /** A new set of codes, replacing the old set; shown to the person once, never stored in clear. */
    async regenerate(q: Queries, accountId: string): Promise<string[]> {
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
      await q.recoveryCodes.replaceRecoveryCodes(accountId, codes.map((code) => ({ id: crypto.randomUUID(), code_hash: hash(accountId, code) })));
      return codes;
    },

    /** Uses one code up; false when it is not an unused code of this account. */
    async use(accountId: string, code: unknown): Promise<boolean> {
      if (typeof code !== 'string' || normalise(code).length !== GROUP * 2) return false;
      return queries.recoveryCodes.useRecoveryCode(accountId, hash(accountId, code));
    },

    remaining: (accountId: string) => queries.recoveryCodes.countUnusedRecoveryCodes(accountId),
    remove: (q: Queries, accountId: string) => q.recoveryCodes.deleteRecoveryCodes(accountId),
  };
}

export type RecoveryCodes = ReturnType<typeof createRecoveryCodes>;
