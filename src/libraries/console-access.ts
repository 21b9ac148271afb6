// Who may use the admin console: an account holding the admin role, signed in with a second
// factor in this very session, whatever MFA_REQUIRED says (an admin's password alone must
// never reach everyone's accounts). Kept apart from HTTP so the rule is read in one place.
import { ACR } from './mfa/assurance.ts';
import { ADMIN_ROLE } from './roles.ts';

export type ConsoleAccess = 'allowed' | 'second_factor_needed' | 'not_admin';

export function consoleAccess(session: { account: { roles: string[] }; acr: string | undefined }): ConsoleAccess {
  if (!session.account.roles.includes(ADMIN_ROLE)) return 'not_admin';
  return session.acr === ACR.multiFactor ? 'allowed' : 'second_factor_needed';
}
