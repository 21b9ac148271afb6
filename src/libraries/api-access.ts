// Who may call Latchkey's APIs: a bearer token is an API token (lkat_…) or a client_credentials
// access token of a machine client, and carries scopes: admin (everything), admin:read (the
// admin API's reads) and scim (SCIM). A machine client holds no more than its registration
// lists now, whatever its token said when it was issued.
import { isMachineScope, type MachineScope } from '../config/scopes.ts';
import { API_TOKEN_PREFIX, type ApiTokens } from './api-tokens.ts';
import type { AuditActor } from './audit/context.ts';

export interface ApiCaller {
  actor: AuditActor & { id: string };
  scopes: ReadonlySet<MachineScope>;
}

/** What a route needs: the admin API's reads, its changes, or SCIM. */
export type ApiNeed = 'admin:read' | 'admin' | 'scim';

export function permits(caller: ApiCaller, need: ApiNeed): boolean {
  return caller.scopes.has('admin') || caller.scopes.has(need);
}

export interface MachineToken {
  clientId: string;
  scopes: string[];
}

export function createApiAccess({ apiTokens, findMachineToken, currentClientScopes }: {
  apiTokens: Pick<ApiTokens, 'authenticate'>;
  /** A live client_credentials token of this value, as the provider finds it. */
  findMachineToken: (token: string) => Promise<MachineToken | undefined>;
  /** The scopes a client's registration lists now (undefined: the client is gone). */
  currentClientScopes: (clientId: string) => Promise<string[] | undefined>;
}) {
  return {
    /** The caller behind a bearer token, or undefined for a token that is not (or no longer) good. */
    async authenticate(token: string): Promise<ApiCaller | undefined> {
      if (token.startsWith(API_TOKEN_PREFIX)) {
        const found = await apiTokens.authenticate(token);
        return found && { actor: { type: 'api_token', id: found.id }, scopes: new Set(found.scopes) };
      }
      const machine = await findMachineToken(token);
      if (!machine) return undefined;
      const registered = new Set(await currentClientScopes(machine.clientId) ?? []);
      const scopes = machine.scopes.filter((scope): scope is MachineScope => isMachineScope(scope) && registered.has(scope));
      return { actor: { type: 'client', id: machine.clientId }, scopes: new Set(scopes) };
    },
  };
}

export type ApiAccess = ReturnType<typeof createApiAccess>;
