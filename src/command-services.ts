// The services an administrator's command needs (accounts, clients, keys, consents, reports):
// built by the CLI on its own, and by the server as the core of its full set, so both enforce
// the same rules. They load nothing a command does not use (no provider, no mail, no WebAuthn),
// which keeps a command quick to start.
import type { Logger } from 'pino';
import type { Config } from './config/env.ts';
import type { Database } from './db/open-database.ts';
import { createAccountAdmin } from './libraries/account-admin.ts';
import { createAccountImport } from './libraries/account-import.ts';
import { createAccounts } from './libraries/accounts.ts';
import { createOwnProfile } from './libraries/own-account/profile.ts';
import { createOneTimeSecrets } from './libraries/one-time-secrets.ts';
import { createThrottle } from './libraries/throttle.ts';
import { createMail } from './mail/index.ts';
import { createApiResources } from './libraries/api-resources.ts';
import { createApiTokens } from './libraries/api-tokens.ts';
import { createAuditLog } from './libraries/audit/audit-log.ts';
import { createClients, type ClientMetadataValidator } from './libraries/clients.ts';
import { createConsents } from './libraries/consents.ts';
import { createConsoleOverview } from './libraries/console-overview.ts';
import { createRoles } from './libraries/roles.ts';
import { createPasswordPolicy } from './libraries/password-policy.ts';
import { createPasswordHasher } from './libraries/passwords.ts';
import { createSecretBox } from './libraries/secret-box.ts';
import { createSignupReport } from './libraries/signup-report.ts';
import { createSigningKeys } from './libraries/signing-keys.ts';
import { createQueries } from './queries/index.ts';

export interface CommandServiceOptions {
  config: Config;
  secret: string;
  db: Database;
  log: Logger;
  /** Checks client metadata as the provider will (the server's own provider; the CLI builds one when it needs it). */
  validateMetadata?: ClientMetadataValidator;
  /** Told when signing keys change (the server rebuilds its provider at once; the CLI leaves that to the server's poll). */
  keysChanged?: () => Promise<unknown>;
  /** Told when a throttle refuses (the server counts it in its metrics). */
  onThrottleBlocked?: (key: string) => void;
}

export function createCommandServices({ config, secret, db, log, validateMetadata, keysChanged, onThrottleBlocked }: CommandServiceOptions) {
  const queries = createQueries(db.knex);
  const secretBox = createSecretBox(secret);
  const passwordPolicy = createPasswordPolicy({ minLength: config.passwordMinLength });
  const hasher = createPasswordHasher(config.passwordHash);
  const signingKeys = createSigningKeys({ queries, secretBox });
  const throttle = createThrottle({ queries, lockKeys: db.lockKeys, onBlocked: onThrottleBlocked });
  // Mail is queued in the database; a server process delivers it (the CLI never sends).
  const mail = createMail({ config, queries, secretBox, log });
  const oneTimeSecrets = createOneTimeSecrets({ queries, secretBox, throttle });
  const accounts = createAccounts({ queries, hasher, passwordPolicy });
  const signupReport = createSignupReport({ queries });
  return {
    config,
    log,
    db,
    queries,
    secretBox,
    hasher,
    passwordPolicy,
    signingKeys,
    throttle,
    mail,
    oneTimeSecrets,
    accounts,
    accountAdmin: createAccountAdmin({ config, queries, accounts, mail, oneTimeSecrets, hasher, passwordPolicy }),
    ownProfile: createOwnProfile({ queries, accounts }),
    clients: createClients({
      queries,
      secretBox,
      changes: db.changes,
      validateMetadata: validateMetadata ?? (async (metadata) => {
        const { validateClientMetadata } = await import('./oidc/client-validation.ts');
        await signingKeys.ensureSigningKeys(); // the provider needs keys, and a new database has none yet
        await validateClientMetadata(config, await signingKeys.loadKeySet(), metadata);
      }),
    }),
    consents: createConsents({ queries }),
    apiTokens: createApiTokens({ queries, secretBox }),
    roles: createRoles({ queries }),
    apiResources: createApiResources({ queries }),
    accountImport: createAccountImport({ queries }),
    audit: createAuditLog({ queries, retentionDays: config.auditRetentionDays }),
    signupReport,
    consoleOverview: createConsoleOverview({ queries, signupReport, signingKeys }),
    keysChanged: keysChanged ?? (async () => undefined),
  };
}

export type CommandServices = ReturnType<typeof createCommandServices>;
