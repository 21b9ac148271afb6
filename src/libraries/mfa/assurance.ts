// What a sign-in proved, as the ID token tells relying parties: amr values (RFC 8176) and
// Latchkey's two acr levels, one factor or several.
export const ACR = {
  singleFactor: 'urn:latchkey:acr:1fa',
  multiFactor: 'urn:latchkey:acr:mfa',
} as const;

export const ACR_VALUES = [ACR.singleFactor, ACR.multiFactor];

/** pwd, email, otp, hwk, swk …: two different kinds of proof make it mfa. */
export function assuranceOf(amr: string[]): { amr: string[]; acr: string } {
  const methods = [...new Set(amr.filter((value) => value !== 'mfa'))];
  const multi = methods.length >= 2 || amr.includes('mfa');
  return { amr: multi ? [...methods, 'mfa'] : methods, acr: multi ? ACR.multiFactor : ACR.singleFactor };
}

/** Whether the relying party asked for multi-factor authentication (acr_values lists only the MFA level). */
export function requestsMultiFactor(acrValues: unknown): boolean {
  const values = typeof acrValues === 'string' ? acrValues.split(' ').filter(Boolean) : [];
  return values.length > 0 && values.every((value) => value === ACR.multiFactor);
}

/** Why the provider asks a signed-in person to sign in again: a second factor is wanted. */
export const MFA_REQUIRED_REASON = 'mfa_required';
