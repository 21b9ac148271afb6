// WebAuthn (security keys and passkeys) through @simplewebauthn/server: every ceremony gets a
// challenge kept server-side and taken once; origin and RP ID come from the issuer; the
// signature counter is stored and must move forward.
import crypto from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Queries } from '../../queries/index.ts';
import type { WebauthnChallengeRow, WebauthnCredentialRow } from '../../queries/webauthn.ts';
import { RequestError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ipBucket, type Throttle } from '../throttle.ts';

/** Long enough to find and touch a key; the browser gives up after it too. */
const CEREMONY_SECONDS = 5 * 60;
const NAME_MAX = 60;

export interface WebauthnSettings {
  rpId: string;
  origin: string;
  /** The name the browser shows in its passkey prompt (BRAND_NAME). */
  rpName: string;
}

export interface CeremonyOptions<T> {
  /** Handed back with the browser's response: which server-side challenge it answers. */
  challengeId: string;
  options: T;
}

const failed = () => new RequestError('webauthn_failed', 400, 'The security key or passkey could not be checked. Try again.', { messageKey: 'messages.webauthnFailed' });

type Purpose = WebauthnChallengeRow['purpose'];

/**
 * Ceremonies one IP may start a minute for one account (for a passkey sign-in, for any): each
 * stores a challenge. Per IP too, so that someone with the password cannot use up the owner's.
 */
export const ceremonyRate = { limit: 30, windowSeconds: 60 };

export function createWebauthn({ queries, settings, throttle }: { queries: Queries; settings: WebauthnSettings; throttle: Throttle }) {
  async function remember(challenge: string, purpose: Purpose, accountId: string | null): Promise<string> {
    const id = crypto.randomUUID();
    await queries.webauthn.insertWebauthnChallenge({ id, challenge, purpose, account_id: accountId }, CEREMONY_SECONDS);
    return id;
  }

  /** The challenge, used up; it must have been handed out for this very ceremony. */
  async function take(challengeId: unknown, purpose: Purpose, q: Queries = queries) {
    const challenge = typeof challengeId === 'string' && /^[0-9a-f-]{36}$/.test(challengeId)
      ? await q.webauthn.takeWebauthnChallenge(challengeId) : undefined;
    if (!challenge || challenge.purpose !== purpose) throw new RequestError('webauthn_expired', 400, 'This request expired. Try again.');
    return challenge;
  }

  return {
    settings,

    /** Options for registering a new key or passkey on this account (discoverable where the authenticator can). */
    async registrationOptions(account: { id: string; email: string; name: string | null }, ip: string): Promise<CeremonyOptions<PublicKeyCredentialCreationOptionsJSON>> {
      await throttle.countRequest(`rate:webauthn:account-ip:${account.id}:${ipBucket(ip)}`, ceremonyRate);
      const existing = await queries.webauthn.listWebauthnCredentials(account.id);
      const options = await generateRegistrationOptions({
        rpName: settings.rpName, rpID: settings.rpId, userName: account.email, userDisplayName: account.name ?? account.email,
        userID: new TextEncoder().encode(account.id), attestationType: 'none', timeout: CEREMONY_SECONDS * 1000,
        excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: row.transports ?? undefined })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      return { challengeId: await remember(options.challenge, 'register', account.id), options };
    },

    /** Verifies and stores a new credential through `q` (the caller's transaction). */
    async register(q: Queries, accountId: string, { challengeId, response, name }: { challengeId: unknown; response: unknown; name: unknown }): Promise<WebauthnCredentialRow> {
      const label = typeof name === 'string' ? name.trim() : '';
      if (!label || label.length > NAME_MAX || /\p{Cc}/u.test(label)) {
        throw new RequestError('name_invalid', 400, `Give the key or passkey a name of up to ${NAME_MAX} characters, such as "Work laptop".`, { messageKey: 'messages.passkeyName', max: NAME_MAX });
      }
      const challenge = await take(challengeId, 'register', q);
      if (challenge.account_id !== accountId) throw failed();
      const verification = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON, expectedChallenge: challenge.challenge,
        expectedOrigin: settings.origin, expectedRPID: settings.rpId, requireUserVerification: false,
      }).catch(() => undefined);
      if (!verification?.verified) throw failed();
      const { credential, credentialBackedUp } = verification.registrationInfo;
      const row = {
        id: crypto.randomUUID(), account_id: accountId, credential_id: credential.id,
        public_key: Buffer.from(credential.publicKey).toString('base64url'), sign_count: credential.counter,
        transports: credential.transports ?? null, backed_up: credentialBackedUp, name: label,
      };
      if (!(await q.webauthn.insertWebauthnCredential(row))) throw new RequestError('webauthn_known', 409, 'This key or passkey is already registered.');
      return { ...row, sign_count: String(row.sign_count), created_at: new Date(), last_used_at: null };
    },

    /**
     * Options for signing in: with `accountId`, as a second factor with that account's
     * credentials; without, a passkey sign-in that discovers the account and must verify the user.
     * The challenge remembers which of the two it is for.
     */
    async authenticationOptions({ accountId, ip }: { accountId?: string | undefined; ip: string }): Promise<CeremonyOptions<PublicKeyCredentialRequestOptionsJSON>> {
      await throttle.countRequest(accountId ? `rate:webauthn:account-ip:${accountId}:${ipBucket(ip)}` : `rate:webauthn:ip:${ipBucket(ip)}`, ceremonyRate);
      const credentials = accountId ? await queries.webauthn.listWebauthnCredentials(accountId) : [];
      const options = await generateAuthenticationOptions({
        rpID: settings.rpId, timeout: CEREMONY_SECONDS * 1000,
        allowCredentials: credentials.map((row) => ({ id: row.credential_id, transports: row.transports ?? undefined })),
        userVerification: accountId ? 'preferred' : 'required',
      });
      return { challengeId: await remember(options.challenge, accountId ? 'second_factor' : 'sign_in', accountId ?? null), options };
    },

    /**
     * The credential that signed this challenge, checked. A sign_in challenge wants user
     * verification; a second_factor one, a credential of the account it was made for.
     */
    async authenticate({ challengeId, response, purpose }: { challengeId: unknown; response: unknown; purpose: 'sign_in' | 'second_factor' }): Promise<WebauthnCredentialRow> {
      const challenge = await take(challengeId, purpose);
      const answer = response as AuthenticationResponseJSON | undefined;
      const credential = typeof answer?.id === 'string' ? await queries.webauthn.maybeFindWebauthnCredential(answer.id) : undefined;
      // A passkey sign-in that fails is in the audit log here; a second factor's, where it is checked.
      const refuse = async (reason: string) => {
        if (purpose === 'sign_in') await recordAudit(queries, { type: 'sign_in.failed', subjectId: credential?.account_id, details: { method: 'passkey', reason } });
        return failed();
      };
      if (!credential) throw await refuse('unknown_credential');
      if (purpose === 'second_factor' && credential.account_id !== challenge.account_id) throw failed();
      const passwordless = purpose === 'sign_in';
      const verification = await verifyAuthenticationResponse({
        response: answer!, expectedChallenge: challenge.challenge, expectedOrigin: settings.origin, expectedRPID: settings.rpId,
        credential: {
          id: credential.credential_id, publicKey: Buffer.from(credential.public_key, 'base64url'),
          counter: Number(credential.sign_count), transports: credential.transports ?? undefined,
        },
        requireUserVerification: passwordless,
      }).catch(() => undefined);
      if (!verification?.verified) throw await refuse('verification_failed');
      // A counter that does not move forward means a cloned authenticator (or a race): refuse.
      if (!(await queries.webauthn.recordWebauthnUse(credential.id, verification.authenticationInfo.newCounter))) throw await refuse('counter_not_advanced');
      return credential;
    },

    list: (accountId: string) => queries.webauthn.listWebauthnCredentials(accountId),
    remove: (q: Queries, accountId: string, id: string) => q.webauthn.deleteWebauthnCredential(accountId, id),
    sweep: () => queries.webauthn.deleteExpiredWebauthnChallenges(),
  };
}

export type Webauthn = ReturnType<typeof createWebauthn>;

/** RFC 8176: a synced passkey is a software-held key (swk); a device-bound one, hardware (hwk). */
export const webauthnAmr = (credential: Pick<WebauthnCredentialRow, 'backed_up'>) => (credential.backed_up ? 'swk' : 'hwk');
