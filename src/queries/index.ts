// Every query of the app, built on one Knex handle (or transaction) and collected in one place.
import type { Knex } from 'knex';
import { createAccountQueries } from './accounts.ts';
import { createApiResourceQueries } from './api-resources.ts';
import { createApiTokenQueries } from './api-tokens.ts';
import { createAuditEventQueries } from './audit-events.ts';
import { createBackchannelLogoutQueries } from './backchannel-logouts.ts';
import { createClientQueries } from './clients.ts';
import { createConsentQueries } from './consents.ts';
import { createConsoleStatQueries } from './console-stats.ts';
import { createHealthQueries } from './health.ts';
import { createMailOutboxQueries } from './mail-outbox.ts';
import { createOidcPayloadQueries } from './oidc-payloads.ts';
import { createOneTimeSecretQueries } from './one-time-secrets.ts';
import { createRateWindowQueries } from './rate-windows.ts';
import { createRecoveryCodeQueries } from './recovery-codes.ts';
import { createRoleQueries } from './roles.ts';
import { createSigningKeyQueries } from './signing-keys.ts';
import { createThrottleQueries } from './throttles.ts';
import { createTotpFactorQueries } from './totp-factors.ts';
import { createWebauthnQueries } from './webauthn.ts';

export interface Queries {
  accounts: ReturnType<typeof createAccountQueries>;
  apiResources: ReturnType<typeof createApiResourceQueries>;
  apiTokens: ReturnType<typeof createApiTokenQueries>;
  auditEvents: ReturnType<typeof createAuditEventQueries>;
  backchannelLogouts: ReturnType<typeof createBackchannelLogoutQueries>;
  clients: ReturnType<typeof createClientQueries>;
  consents: ReturnType<typeof createConsentQueries>;
  consoleStats: ReturnType<typeof createConsoleStatQueries>;
  health: ReturnType<typeof createHealthQueries>;
  mailOutbox: ReturnType<typeof createMailOutboxQueries>;
  oidcPayloads: ReturnType<typeof createOidcPayloadQueries>;
  oneTimeSecrets: ReturnType<typeof createOneTimeSecretQueries>;
  rateWindows: ReturnType<typeof createRateWindowQueries>;
  recoveryCodes: ReturnType<typeof createRecoveryCodeQueries>;
  roles: ReturnType<typeof createRoleQueries>;
  signingKeys: ReturnType<typeof createSigningKeyQueries>;
  throttles: ReturnType<typeof createThrottleQueries>;
  totpFactors: ReturnType<typeof createTotpFactorQueries>;
  webauthn: ReturnType<typeof createWebauthnQueries>;
  /** Runs fn with queries bound to one transaction: all of it happens, or none. */
  transaction<T>(fn: (queries: Queries) => Promise<T>): Promise<T>;
}

export function createQueries(db: Knex): Queries {
  return {
    accounts: createAccountQueries(db),
    apiResources: createApiResourceQueries(db),
    apiTokens: createApiTokenQueries(db),
    auditEvents: createAuditEventQueries(db),
    backchannelLogouts: createBackchannelLogoutQueries(db),
    clients: createClientQueries(db),
    consents: createConsentQueries(db),
    consoleStats: createConsoleStatQueries(db),
    health: createHealthQueries(db),
    mailOutbox: createMailOutboxQueries(db),
    oidcPayloads: createOidcPayloadQueries(db),
    oneTimeSecrets: createOneTimeSecretQueries(db),
    rateWindows: createRateWindowQueries(db),
    recoveryCodes: createRecoveryCodeQueries(db),
    roles: createRoleQueries(db),
    signingKeys: createSigningKeyQueries(db),
    throttles: createThrottleQueries(db),
    totpFactors: createTotpFactorQueries(db),
    webauthn: createWebauthnQueries(db),
    transaction: (fn) => db.transaction((trx) => fn(createQueries(trx))),
  };
}
