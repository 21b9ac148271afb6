// The applications a person allowed, as their account's Apps page and their data export show
// them: name, logo, the scopes allowed, when first allowed and last used; and taking an
// application's access away (consents.revoke: its grants and tokens end, it is owed a back-channel logout).
import { SUPPORTED_SCOPES } from '../../config/scopes.ts';
import { ACCOUNT_CLIENT_ID, ADMIN_CLIENT_ID } from '../../oidc/first-party-clients.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import type { Queries } from '../../queries/index.ts';
import type { Consents } from '../consents.ts';
import { RequestError } from '../errors.ts';
import { hasMessage } from '../i18n/catalogue.ts';
import { phrase, type Phrase } from '../i18n/phrase.ts';

/** Latchkey's own areas: signing in to them is signing in to Latchkey, not allowing an application. */
const FIRST_PARTY = new Set([ACCOUNT_CLIENT_ID, ADMIN_CLIENT_ID]);

export interface OwnApplication {
  clientId: string;
  name: string;
  /** Only an https logo: anything else is not loaded into the person's page. */
  logoUri: string | null;
  scopes: string[];
  allowedAt: Date;
  /** When the person last changed what it may do (allowed more scopes). */
  updatedAt: Date;
  lastUsedAt: Date | null;
}

/** Scopes in the order Latchkey lists them (signing in first), any others after. */
const scopeRank = (scope: string) => (SUPPORTED_SCOPES.includes(scope) ? SUPPORTED_SCOPES.indexOf(scope) : SUPPORTED_SCOPES.length);

/** Each scope in the words of the consent page (a scope it has no words for, as it is). */
export const scopeWords = (scopes: string[]): Phrase[] =>
  [...scopes].sort((a, b) => scopeRank(a) - scopeRank(b))
    .map((scope) => (hasMessage(`scopes.${scope}`) ? phrase(`scopes.${scope}`) : phrase('account.apps.otherScope', { scope })));

const httpsOnly = (uri: string | null) => (uri && URL.parse(uri)?.protocol === 'https:' ? uri : null);

export function createOwnApplications({ queries, consents }: { queries: Queries; consents: Consents }) {
  return {
    /** The applications the account allowed, by name. */
    async list(accountId: string): Promise<OwnApplication[]> {
      const rows = await queries.consents.listConsentsWithUse(accountId);
      return rows.filter((row) => !FIRST_PARTY.has(row.client_id)).map((row) => ({
        clientId: row.client_id, name: row.client_name, logoUri: httpsOnly(row.logo_uri), scopes: row.scopes,
        allowedAt: row.created_at, updatedAt: row.updated_at, lastUsedAt: row.last_used_at,
      }));
    },

    /**
     * Takes away what the account allowed the application: consent, grants, codes and tokens go,
     * and the application is told (back-channel logout). One the person never allowed is not found.
     */
    async remove(account: Pick<AccountRow, 'id'>, clientId: string): Promise<void> {
      if (FIRST_PARTY.has(clientId)) throw new RequestError('consent_not_found', 404, `The account has not allowed ${clientId} anything.`);
      await consents.revoke(account, clientId);
    },
  };
}

export type OwnApplications = ReturnType<typeof createOwnApplications>;
