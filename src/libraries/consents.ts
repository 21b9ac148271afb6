// Remembered consent: what a person allowed each application, kept per account and client
// until revoked, so that signing in again (after signing out, on another device) asks only for
// scopes not allowed before. The provider's grant still ends with the sign-in session; this is
// what a new one starts from.
import type { Queries } from '../queries/index.ts';
import type { AccountRow } from '../queries/accounts.ts';
import { recordAudit } from './audit/audit-log.ts';
import { RequestError } from './errors.ts';
import { signOut } from './sign-out.ts';

export function createConsents({ queries }: { queries: Queries }) {
  return {
    /** The person allowed these scopes (adds to what they allowed before). */
    async remember(accountId: string, clientId: string, scopes: string[]): Promise<void> {
      const allowed = [...new Set(scopes)].sort();
      await queries.transaction(async (q) => {
        await q.consents.addConsentScopes(accountId, clientId, allowed);
        await recordAudit(q, { type: 'consent.given', subjectId: accountId, clientId, details: { scopes: allowed } });
      });
    },

    /** The scopes this account allowed this client, if any. */
    rememberedScopes: async (accountId: string, clientId: string): Promise<string[]> =>
      (await queries.consents.maybeFindConsent(accountId, clientId))?.scopes ?? [],

    list: (accountId: string) => queries.consents.listConsents(accountId),

    /**
     * Forgets what the account allowed one client (or every client) and ends what those clients
     * hold for it: grants, codes and tokens. The next sign-in asks again.
     */
    async revoke(account: Pick<AccountRow, 'id'>, clientId?: string): Promise<number> {
      return queries.transaction(async (q) => {
        const consents = await q.consents.listConsents(account.id);
        const revoked = clientId ? consents.filter((consent) => consent.client_id === clientId) : consents;
        if (clientId && !revoked.length) throw new RequestError('consent_not_found', 404, `The account has not allowed ${clientId} anything.`);
        for (const consent of revoked) {
          await signOut(q, account.id, { client: consent.client_id });
          await recordAudit(q, { type: 'consent.revoked', subjectId: account.id, clientId: consent.client_id, details: { scopes: consent.scopes } });
        }
        await q.consents.deleteConsents(account.id, clientId);
        return revoked.length;
      });
    },
  };
}

export type Consents = ReturnType<typeof createConsents>;
