// findAccount for oidc-provider: the claims of an active account; a disabled or deleted
// account has none, which ends its sessions and refresh tokens at next use.
import type { FindAccount } from 'oidc-provider';
import type { Accounts } from '../libraries/accounts.ts';
import type { SigningInAccount } from '../queries/accounts.ts';
import { memoized, prime } from './request-memo.ts';

/**
 * The account behind a provider request, read once per request: the session, the grant, the
 * token's claims and the second-factor check of the sign-in policy all ask for it.
 */
export const accountOfRequest = (accounts: Accounts, accountId: string): Promise<SigningInAccount | undefined> =>
  memoized(`account:${accountId}`, () => accounts.maybeFindActiveSigningInAccount(accountId));

/** Records the request's account as a wider read found it (with a record that names it): a read of it gives this. */
export function foundAccountOfRequest(account: SigningInAccount): void {
  prime(`account:${account.id}`, account.disabled ? undefined : account);
}

export function createFindAccount(accounts: Accounts): FindAccount {
  return async (_ctx, sub) => {
    const account = await accountOfRequest(accounts, sub);
    if (!account) return undefined;
    return {
      accountId: account.id,
      async claims() {
        return {
          sub: account.id,
          email: account.email,
          email_verified: account.email_verified,
          name: account.name ?? undefined,
          given_name: account.given_name ?? undefined,
          family_name: account.family_name ?? undefined,
          picture: account.picture ?? undefined,
          updated_at: Math.floor(account.updated_at.getTime() / 1000),
          roles: account.roles,
        };
      },
    };
  };
}
