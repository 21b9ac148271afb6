// Encryption of secrets at rest (signing keys, client secrets) and cookie signing keys,
// all derived from LATCHKEY_SECRET with HKDF so one secret never serves two purposes.
import crypto from 'node:crypto';

/** What a sealed value is for; bound into the ciphertext so one kind cannot pass for another. */
export type SealPurpose = 'signing-key' | 'client-secret' | 'mail' | 'pending-sign-in' | 'totp-secret' | 'console-reveal';
/** What a keyed tag identifies; tags of different purposes never collide. */
export type TagPurpose = 'email' | 'one-time-code' | 'one-time-link' | 'recovery-code' | 'api-token';

export interface SecretBox {
  seal(purpose: SealPurpose, plaintext: string): string;
  open(purpose: SealPurpose, sealed: string): string;
  /** A short keyed hash (HMAC-SHA-256, 128 bits): names a value without storing or revealing it. */
  tag(purpose: TagPurpose, value: string): string;
  cookieKeys: string[];
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

const VERSION = 'v1';
/** GCM's full tag: a shorter one would still decrypt, and cut the cost of a forgery to 2^(8 × length). */
const TAG_BYTES = 16;
const IV_BYTES = 12;

export function createSecretBox(secret: string): SecretBox {
  const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', secret, 'latchkey', info, 32));
  const encryptionKey = derive('latchkey/encryption/v1');
  const tagKey = derive('latchkey/tags/v1');

  return {
    cookieKeys: [derive('latchkey/cookies/v1').toString('base64url')],

    seal(purpose, plaintext) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', encryptionKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(purpose));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },

    tag(purpose, value) {
      return crypto.createHmac('sha256', tagKey).update(`${purpose}\0${value}`).digest().subarray(0, 16).toString('base64url');
    },

    open(purpose, sealed) {
      const parts = sealed.split('.');
      const [version, iv, ciphertext, tag] = parts;
      if (parts.length !== 4 || version !== VERSION || iv === undefined || ciphertext === undefined || tag === undefined) {
        throw new SecretBoxError('not a sealed value');
      }
      const ivBytes = Buffer.from(iv, 'base64url');
      const tagBytes = Buffer.from(tag, 'base64url');
      if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new SecretBoxError('not a sealed value');
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', encryptionKey, ivBytes, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('cannot decrypt a stored secret: LATCHKEY_SECRET differs from the one it was encrypted with');
      }
    },
  };
}
