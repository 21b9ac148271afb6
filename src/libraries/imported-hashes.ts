// Password hashes of systems people move in from, verified as they are: bcrypt ($2a$, $2b$,
// $2y$), Django's PBKDF2 (pbkdf2_sha256$…), argon2 (any variant and parameters, handled by the
// hasher itself) and scrypt in passlib's PHC form ($scrypt$ln=…,r=…,p=…$salt$hash). A person's
// first sign-in rehashes to Latchkey's argon2id.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, length: number, options: crypto.ScryptOptions) => Promise<Buffer>;
const pbkdf2 = promisify(crypto.pbkdf2);

const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
const DJANGO_PBKDF2 = /^pbkdf2_sha256\$(\d{1,7})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;
const SCRYPT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/.]+={0,2})\$([A-Za-z0-9+/.]+={0,2})$/;
const ARGON2 = /^\$argon2(id|i|d)\$(v=\d+\$)?[mtp]=\d+(,[mtp]=\d+){2}(,data=[^$]*)?\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/; // parameters in any order

export type HashKind = 'argon2' | 'bcrypt' | 'django_pbkdf2' | 'scrypt';

/** Which kind of hash this is, or undefined for one Latchkey cannot verify. */
export function hashKind(hash: string): HashKind | undefined {
  if (ARGON2.test(hash)) return 'argon2';
  if (BCRYPT.test(hash)) return 'bcrypt';
  const django = DJANGO_PBKDF2.exec(hash);
  if (django && Number(django[1]) >= 1) return 'django_pbkdf2';
  const scryptParts = SCRYPT.exec(hash);
  if (scryptParts && Number(scryptParts[1]) >= 1 && Number(scryptParts[1]) <= 24 && Number(scryptParts[2]) >= 1 && Number(scryptParts[3]) >= 1) return 'scrypt';
  return undefined;
}

const b64 = (value: string) => Buffer.from(value.replace(/\./g, '+'), 'base64'); // passlib's adapted base64 uses . for +

/** Whether the password is the one behind a bcrypt, Django PBKDF2 or scrypt hash (argon2: the hasher's own). */
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
      const N = 2 ** Number(ln);
      const derived = await scrypt(password, b64(salt!), want.length, { N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r) + 1024 * 1024 });
      return crypto.timingSafeEqual(derived, want);
    }
    default:
      return false;
  }
}
