// Whoever proves an address owns it. When the proof comes from anywhere but the registrant's
// own sign-in (a mailed code or link used elsewhere, a password reset), an account nobody had
// verified passes to the address's owner, and nothing its registrant set up survives: password,
// names, second factors, recovery codes, sessions, grants, tokens and the consents it gave.
// An account an administrator made (CLI, admin API, SCIM) is not claimed: its maker is trusted,
// and the person proving the address is the one it was made for. One moved in from another
// system is: whoever registered it there may never have proved the address either.
import type { Queries } from '../queries/index.ts';
import { recordAudit } from './audit/audit-log.ts';
import type { SecondFactors } from './mfa/second-factors.ts';
import { signOut } from './sign-out.ts';

export function createAddressClaim({ secondFactors }: { secondFactors: Pick<SecondFactors, 'forgetAll'> }) {
  /** Inside the caller's transaction; false (and nothing changed) when the account was verified already or an administrator made it. */
  return async function claimAddress(q: Queries, accountId: string): Promise<boolean> {
    if (!(await q.accounts.claimUnverifiedAccount(accountId))) return false;
    await recordAudit(q, { type: 'email.verified', subjectId: accountId, details: { how: 'claimed', note: 'the owner proved the address; what the registrant set up was dropped' } });
    await signOut(q, accountId);
    await q.consents.deleteConsents(accountId);
    await secondFactors.forgetAll(q, accountId);
    return true;
  };
}

export type ClaimAddress = ReturnType<typeof createAddressClaim>;
