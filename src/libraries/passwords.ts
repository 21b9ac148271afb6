// Password hashing with argon2id PHC strings. Verification tells when a stored hash uses
// weaker parameters than configured, or is an imported one of another kind (bcrypt, Django
// PBKDF2, scrypt), so sign-in can rehash it.
import argon2 from 'argon2';
import { hashKind, verifyImportedHash } from './imported-hashes.ts';

export interface PasswordHashParameters {
  memoryKiB: number;
  iterations: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** needsRehash is true when the hash was made with other parameters than the configured ones. */
  verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Spends the time of one verification, for answers that must not reveal whether an account exists. */
  verifyNothing(password: string): Promise<void>;
}

export function createPasswordHasher({ memoryKiB, iterations }: PasswordHashParameters): PasswordHasher {
  const options = { type: argon2.argon2id, memoryCost: memoryKiB, timeCost: iterations, parallelism: 1 } as const;
  const ownPrefix = `$argon2id$v=19$m=${memoryKiB},p=1,t=${iterations}$`; // as node-argon2 writes them
  const isOwnHash = (hash: string) => hash.startsWith(ownPrefix);
  let dummyHash: Promise<string> | undefined;

  async function verify(hash: string, password: string) {
    let ok = false;
    // Latchkey's own hashes (whatever PASSWORD_HASH_MEMORY_KIB made them) or an imported one within the limits.
    const kind = isOwnHash(hash) ? 'argon2' : hashKind(hash);
    try {
      ok = kind === 'argon2' ? await argon2.verify(hash, password) : await verifyImportedHash(hash, password);
    } catch {
      ok = false; // a malformed stored hash never signs anyone in
    }
    return { ok, needsRehash: ok && (kind !== 'argon2' || argon2.needsRehash(hash, options)) };
  }

  return {
    hash: (password) => argon2.hash(password, options),
    verify,
    async verifyNothing(password) {
      dummyHash ??= argon2.hash('latchkey timing equaliser', options);
      await verify(await dummyHash, password);
    },
  };
}
