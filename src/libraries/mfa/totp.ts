// TOTP authenticators (RFC 6238, what authenticator apps speak): 20-byte secrets sealed at
// rest, enrolment confirmed by a first code, a window of one step either side, and no time
// step accepted twice.
import crypto from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { Queries } from '../../queries/index.ts';
import { RequestError } from '../errors.ts';
import type { SecretBox } from '../secret-box.ts';

export const totpRules = { secretBytes: 20, periodSeconds: 30, digits: 6 as const, toleranceSeconds: 30 };

export interface TotpEnrolment {
  factorId: string;
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
  uri: string;
  /** The otpauth URI as an SVG QR code, made here (no outside service sees the secret). */
  qrSvg: string;
}

const CODE = /^\d{6}$/;

/** `issuerName`: what the authenticator app lists the entry under (BRAND_NAME). */
export function createTotp({ queries, secretBox, issuerName }: { queries: Queries; secretBox: SecretBox; issuerName: string }) {
  /** The time step a right code belongs to, or undefined. */
  async function matchingStep(sealed: string, code: unknown, afterStep: number | undefined): Promise<number | undefined> {
    const token = typeof code === 'string' ? code.replace(/\s/g, '') : '';
    if (!CODE.test(token)) return undefined;
    const result = await verify({
      secret: secretBox.open('totp-secret', sealed), token, period: totpRules.periodSeconds, digits: totpRules.digits,
      epochTolerance: totpRules.toleranceSeconds, ...(afterStep === undefined ? {} : { afterTimeStep: afterStep }),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  }

  return {
    /** A new secret waiting for its first code; the account's current authenticator stays until then. */
    async beginEnrolment(account: { id: string; email: string }): Promise<TotpEnrolment> {
      const secret = generateSecret({ length: totpRules.secretBytes });
      const factorId = crypto.randomUUID();
      await queries.totpFactors.insertTotpFactor({ id: factorId, account_id: account.id, secret_sealed: secretBox.seal('totp-secret', secret) });
      const uri = generateURI({ issuer: issuerName, label: account.email, secret, period: totpRules.periodSeconds, digits: totpRules.digits });
      return { factorId, secret, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
    },

    /** The secret of a pending enrolment, to show it again after a wrong first code. */
    async pendingEnrolment(account: { id: string; email: string }, factorId: string): Promise<TotpEnrolment | undefined> {
      const factor = await queries.totpFactors.maybeFindTotpFactor(account.id, factorId);
      if (!factor || factor.confirmed_at) return undefined;
      const secret = secretBox.open('totp-secret', factor.secret_sealed);
      const uri = generateURI({ issuer: issuerName, label: account.email, secret, period: totpRules.periodSeconds, digits: totpRules.digits });
      return { factorId, secret, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
    },

    /** Activates the enrolment with a current code from the app; it replaces any earlier authenticator. */
    async confirmEnrolment(q: Queries, accountId: string, factorId: string, code: unknown): Promise<void> {
      const factor = await q.totpFactors.maybeFindTotpFactor(accountId, factorId);
      if (!factor || factor.confirmed_at) throw new RequestError('enrolment_expired', 400, 'This set-up expired. Start again.');
      const step = await matchingStep(factor.secret_sealed, code, undefined);
      if (step === undefined) throw new RequestError('totp_wrong', 400, 'That code is not right. Enter the 6 digits your app shows now.');
      if (!(await q.totpFactors.confirmTotpFactor(accountId, factorId, step))) throw new RequestError('enrolment_expired', 400, 'This set-up expired. Start again.');
    },

    /** Whether `code` is a current code of the account's authenticator: 'ok' once, 'reused' for a time step used before. */
    async verifyCode(accountId: string, code: unknown): Promise<'ok' | 'wrong' | 'reused'> {
      const factor = await queries.totpFactors.maybeFindConfirmedTotpFactor(accountId);
      if (!factor) return 'wrong';
      const step = await matchingStep(factor.secret_sealed, code, factor.last_used_step === null ? undefined : Number(factor.last_used_step));
      if (step !== undefined) return (await queries.totpFactors.advanceTotpStep(factor.id, step)) ? 'ok' : 'reused';
      return (await matchingStep(factor.secret_sealed, code, undefined)) === undefined ? 'wrong' : 'reused';
    },

    /** When the account's authenticator app was confirmed; null when it has none. */
    enrolledSince: async (accountId: string) => (await queries.totpFactors.maybeFindConfirmedTotpFactor(accountId))?.confirmed_at ?? null,
    remove: (q: Queries, accountId: string) => q.totpFactors.deleteTotpFactors(accountId),
  };
}

export type Totp = ReturnType<typeof createTotp>;
