// Password hashes of systems people move in from, verified as they are: bcrypt ($2a$, $2b$,
// $2y$), Django's PBKDF2 (pbkdf2_sha256$…), argon2 (any variant; verified by the hasher itself)
// and scrypt in passlib's PHC form ($scrypt$ln=…,r=…,p=…$salt$hash). A person's first sign-in
// rehashes to Latchkey's argon2id. Costs are bounded: a hash that would take seconds or
// gigabytes to check (so that wrong guesses could tie the server up) is refused at import, and
// never verified; so is one too short to mean anything (an empty scrypt hash matches anything).
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, length: number, options: crypto.ScryptOptions) => Promise<Buffer>;
const pbkdf2 = promisify(crypto.pbkdf2);

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const DJANGO_PBKDF2 = /^pbkdf2_sha256\$(\d{1,8})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;
const SCRYPT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/.]+={0,2})\$([A-Za-z0-9+/.]+={0,2})$/;
// m, t and p once each, in any order, nothing else (argon2's own parser lets a later value win,
// so a hidden second t= would slip past a check of the first); a salt and a hash of 16 bytes or more.
const ARGON2 = /^\$argon2(id|i|d)\$(v=\d+\$)?([mtp]=\d{1,10},[mtp]=\d{1,10},[mtp]=\d{1,10})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{22,}$/;

/** The most each kind may cost to check, per guess (about a quarter of a second here at most). */
const LIMITS = { bcryptCost: 12, pbkdf2Iterations: 1_200_000, scryptNr: 2 ** 17 * 8, scryptP: 4, argon2MemoryKiB: 256 * 1024, argon2Time: 10, argon2Lanes: 8 };
const SCRYPT_MAXMEM = 256 * 1024 * 1024;

export type HashKind = 'argon2' | 'bcrypt' | 'django_pbkdf2' | 'scrypt';

const b64 = (value: string) => Buffer.from(value.replace(/\./g, '+'), 'base64'); // passlib's adapted base64 uses . for +

/** The kind of a hash Latchkey can verify, or why it cannot (an unknown format, or costs beyond the limits). */
export function checkHash(hash: string): { kind: HashKind } | { problem: string } {
  const argon = ARGON2.exec(hash);
  if (argon) {
    const parameters = Object.fromEntries(argon[3]!.split(',').map((pair) => pair.split('=') as [string, string]));
    if (Object.keys(parameters).length !== 3) return { problem: 'argon2 parameters m, t and p must each appear once' };
    if (Number(parameters.m) > LIMITS.argon2MemoryKiB || Number(parameters.t) > LIMITS.argon2Time || Number(parameters.p) > LIMITS.argon2Lanes) {
      return { problem: `argon2 parameters beyond m=${LIMITS.argon2MemoryKiB},t=${LIMITS.argon2Time},p=${LIMITS.argon2Lanes}` };
    }
    return { kind: 'argon2' };
  }
  const bcryptParts = BCRYPT.exec(hash);
  if (bcryptParts) {
    const cost = Number(bcryptParts[1]);
    return cost >= 4 && cost <= LIMITS.bcryptCost ? { kind: 'bcrypt' } : { problem: `bcrypt cost ${cost} is outside 4 to ${LIMITS.bcryptCost}` };
  }
  const django = DJANGO_PBKDF2.exec(hash);
  if (django) {
    const iterations = Number(django[1]);
    return iterations >= 1000 && iterations <= LIMITS.pbkdf2Iterations ? { kind: 'django_pbkdf2' } : { problem: `PBKDF2 iterations ${iterations} are outside 1000 to ${LIMITS.pbkdf2Iterations}` };
  }
  const scryptParts = SCRYPT.exec(hash);
  if (scryptParts) {
    const [, ln, r, p, salt, expected] = scryptParts;
    if (b64(salt!).length < 8 || b64(expected!).length < 16) return { problem: 'scrypt salt or hash too short' };
    if (Number(ln) < 1 || Number(r) < 1 || Number(p) < 1 || 2 ** Number(ln) * Number(r) > LIMITS.scryptNr || Number(p) > LIMITS.scryptP) {
      return { problem: `scrypt parameters beyond N·r=${LIMITS.scryptNr}, p=${LIMITS.scryptP}` };
    }
    return { kind: 'scrypt' };
  }
  return { problem: 'not a bcrypt, Django pbkdf2_sha256, argon2 or $scrypt$ hash' };
}

/** The kind of a hash Latchkey may verify, or undefined. */
export function hashKind(hash: string): HashKind | undefined {
  const checked = checkHash(hash);
  return 'kind' in checked ? checked.kind : undefined;
}

/** Whether the password is the one behind a bcrypt, Django PBKDF2 or scrypt hash within the limits (argon2: the hasher's own). */
export async function verifyImportedHash(hash: string, password: string): Promise<boolean> {
  switch (hashKind(hash)) {
    case 'bcrypt':
      // bcrypt reads only the first 72 bytes; what the old system did with more is what it stored.
      return bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
    case 'django_pbkdf2': {
      const [, iterations, salt, expected] = DJANGO_PBKDF2.exec(hash)!;
      const derived = await pbkdf2(password, salt!, Number(iterations), 32, 'sha256');
      return crypto.timingSafeEqual(derived, Buffer.from(expected!, 'base64'));
    }
    case 'scrypt': {
      const [, ln, r, p, salt, expected] = SCRYPT.exec(hash)!;
      const want = b64(expected!);
      const derived = await scrypt(password, b64(salt!), want.length, { N: 2 ** Number(ln), r: Number(r), p: Number(p), maxmem: SCRYPT_MAXMEM });
      return crypto.timingSafeEqual(derived, want);
    }
    default:
      return false;
  }
}
