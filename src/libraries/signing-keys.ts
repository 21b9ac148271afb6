// Token signing keys: generated at first start, sealed at rest, rotated on request.
// A new key is published before it signs; an old one stays published until what it signed has expired.
import crypto from 'node:crypto';
import { retiredKeyPublication } from '../config/token-lifetimes.ts';
import type { Queries } from '../queries/index.ts';
import type { SigningKeyRow } from '../queries/signing-keys.ts';
import type { SecretBox } from './secret-box.ts';
import { recordAudit } from './audit/audit-log.ts';

export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export type PrivateJwk = crypto.JsonWebKey & { kid: string; alg: string; use: 'sig' };

export interface KeySet {
  /** Private keys for the provider: the signing key of each algorithm first, then the merely published ones. */
  keys: PrivateJwk[];
  /** Changes whenever the published keys or the signing keys change. */
  fingerprint: string;
}

export interface SigningKeyStatus {
  kid: string;
  alg: string;
  status: 'signing' | 'next' | 'retiring';
  createdAt: Date;
  activatesAt: Date;
  expiresAt: Date | null;
}

function generatePrivateJwk(alg: SigningAlgorithm): crypto.JsonWebKey {
  const pair = alg === 'RS256' ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    : alg === 'ES256' ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : crypto.generateKeyPairSync('ed25519');
  return pair.privateKey.export({ format: 'jwk' });
}

const PUBLIC_MEMBERS: Record<string, string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] };

/** RFC 7638 thumbprint, used as the key id. */
function thumbprint(jwk: crypto.JsonWebKey): string {
  const members = PUBLIC_MEMBERS[jwk.kty!]!;
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Orders published keys for the provider: the signing key of each algorithm (the most recently
 * activated one) first, because oidc-provider signs with the first key that fits the algorithm.
 */
function arrange(keys: SigningKeyRow[], now: Date) {
  const signing = new Set<string>();
  const algorithmsSeen = new Set<string>();
  for (const key of keys) { // newest activation first
    if (key.activates_at <= now && !algorithmsSeen.has(key.alg)) {
      algorithmsSeen.add(key.alg);
      signing.add(key.kid);
    }
  }
  const ordered = [...keys.filter((key) => signing.has(key.kid)), ...keys.filter((key) => !signing.has(key.kid))];
  const fingerprint = ordered.map((key) => `${key.kid}:${signing.has(key.kid) ? 'signs' : 'published'}`).join(',');
  return { ordered, signing, fingerprint };
}

export function createSigningKeys({ queries, secretBox }: { queries: Queries; secretBox: SecretBox }) {
  async function insertKey(q: Queries, alg: SigningAlgorithm, activatesInSeconds: number): Promise<string> {
    const privateJwk = generatePrivateJwk(alg);
    const kid = thumbprint(privateJwk);
    await q.signingKeys.insertSigningKey({
      kid,
      alg,
      private_jwk_sealed: secretBox.seal('signing-key', JSON.stringify(privateJwk)),
    }, activatesInSeconds);
    return kid;
  }

  return {
    /** First start: makes a signing key for every algorithm that has none. Returns the new key ids. */
    async ensureSigningKeys(): Promise<string[]> {
      return queries.transaction(async (q) => {
        await q.signingKeys.lockSigningKeys(); // processes starting together on one database make one set
        const { keys } = await q.signingKeys.listPublishedSigningKeys();
        const kids: string[] = [];
        for (const alg of SIGNING_ALGORITHMS.filter((a) => !keys.some((key) => key.alg === a))) kids.push(await insertKey(q, alg, 0));
        return kids;
      });
    },

    /**
     * Adds a new key for each algorithm that starts signing after activateInSeconds (time for every
     * process and relying party to see it published). The key signing until then stays published
     * for as long as what it signed may still be presented; a key that was waiting to take over
     * and never signed is dropped.
     */
    async rotateSigningKeys({ activateInSeconds, algorithms = SIGNING_ALGORITHMS }: { activateInSeconds: number; algorithms?: readonly SigningAlgorithm[] }): Promise<string[]> {
      return queries.transaction(async (q) => {
        await q.signingKeys.lockSigningKeys();
        const { keys, now } = await q.signingKeys.listPublishedSigningKeys();
        const { signing } = arrange(keys, now);
        const kids: string[] = [];
        for (const alg of algorithms) {
          await q.signingKeys.deletePendingSigningKeys(alg);
          // whatever signs until the new key takes over (normally one key)
          const replaced = keys.filter((key) => key.alg === alg && key.activates_at <= now && (signing.has(key.kid) || key.expires_at === null));
          await q.signingKeys.setSigningKeyExpiry(replaced.map((key) => key.kid), activateInSeconds + retiredKeyPublication);
          const kid = await insertKey(q, alg, activateInSeconds);
          await recordAudit(q, { type: 'key.rotated', details: { kid, alg, activates_in_seconds: activateInSeconds } });
          kids.push(kid);
        }
        return kids;
      });
    },

    async loadKeySet(): Promise<KeySet> {
      const { keys, now } = await queries.signingKeys.listPublishedSigningKeys();
      const { ordered, fingerprint } = arrange(keys, now);
      return {
        fingerprint,
        keys: ordered.map((key) => ({
          ...(JSON.parse(secretBox.open('signing-key', key.private_jwk_sealed)) as crypto.JsonWebKey),
          kid: key.kid, alg: key.alg, use: 'sig',
        })),
      };
    },

    /** The fingerprint alone, without decrypting anything: cheap enough to poll. */
    async keySetFingerprint(): Promise<string> {
      const { keys, now } = await queries.signingKeys.listPublishedSigningKeys();
      return arrange(keys, now).fingerprint;
    },

    async listSigningKeys(): Promise<SigningKeyStatus[]> {
      const { keys, now } = await queries.signingKeys.listPublishedSigningKeys();
      const { signing } = arrange(keys, now);
      return keys.map((key) => ({
        kid: key.kid,
        alg: key.alg,
        status: signing.has(key.kid) ? 'signing' : key.activates_at > now ? 'next' : 'retiring',
        createdAt: key.created_at,
        activatesAt: key.activates_at,
        expiresAt: key.expires_at,
      }));
    },

    deleteExpiredSigningKeys: () => queries.signingKeys.deleteExpiredSigningKeys(),
  };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
