// Builds every service of the server from config and a database, on the core that the CLI
// builds alone (command-services.ts), so both enforce the same rules on the same data.
import type { Logger } from 'pino';
import { createCommandServices } from './command-services.ts';
import type { Config } from './config/env.ts';
import type { Database } from './db/open-database.ts';
import { createAddressClaim } from './libraries/address-claim.ts';
import { createMetrics } from './libraries/metrics.ts';
import { requestMetrics } from './middleware/koa-metrics.ts';
import { requestLog } from './middleware/koa-request-log.ts';
import { auditContext } from './middleware/koa-audit-context.ts';
import { sessionActivity } from './middleware/koa-session-activity.ts';
import { createSessionActivity } from './libraries/session-activity.ts';
import { sessionCookieName } from './config/oidc.ts';
import { securityHeaders } from './middleware/koa-security-headers.ts';
import { documentCache } from './oidc/document-cache.ts';
import { holdWrites } from './oidc/held-writes.ts';
import { memoized, withRequestMemo } from './oidc/request-memo.ts';
import { createHousekeeping } from './libraries/housekeeping.ts';
import { createEmailVerification } from './libraries/email-verification.ts';
import { createMailLimits } from './libraries/mail-limits.ts';
import { createRecoveryCodes } from './libraries/mfa/recovery-codes.ts';
import { createSecondFactors } from './libraries/mfa/second-factors.ts';
import { createSecurityNotices } from './libraries/mfa/security-notices.ts';
import { createTotp } from './libraries/mfa/totp.ts';
import { createWebauthn } from './libraries/mfa/webauthn.ts';
import { createPasswordReset } from './libraries/password-reset.ts';
import { createOwnEmailChange } from './libraries/own-account/email-change.ts';
import { createOwnPasswordChange } from './libraries/own-account/password-change.ts';
import { createOwnDevices } from './libraries/own-account/devices.ts';
import { createOwnActivity } from './libraries/own-account/activity.ts';
import { createOwnApplications } from './libraries/own-account/applications.ts';
import { createDataExport } from './libraries/own-account/data-export.ts';
import { createRegistration } from './libraries/registration.ts';
import { createEmailCodeSignIn } from './libraries/sign-in/email-code.ts';
import { createPasswordSignIn } from './libraries/sign-in/password.ts';
import { accountOfRequest, createFindAccount } from './oidc/account.ts';
import { firstPartyClients } from './oidc/first-party-clients.ts';
import { createAdapterClass } from './oidc/adapter.ts';
import { introspectApiTokens } from './oidc/api-token-introspection.ts';
import { auditRevocations } from './oidc/revocation-audit.ts';
import { endpointLimits } from './oidc/endpoint-limits.ts';
import { secureCookiesOverLocalhost } from './oidc/localhost-cookies.ts';
import { dropBogusLogoutHint } from './oidc/logout-hint.ts';
import { createProviderPages } from './oidc/pages.ts';
import { createProviderHolder, type ProviderHolder } from './oidc/provider.ts';
import { createBackchannelLogoutDelivery, queueProviderLogouts, type BackchannelLogoutDelivery } from './oidc/backchannel-logout.ts';
import { brandAssets } from './pages/brand-assets.ts';
import { createPageRenderer } from './pages/render-page.ts';

export async function createServices({ config, secret, db, log }: { config: Config; secret: string; db: Database; log: Logger }) {
  let provider: ProviderHolder | undefined;
  const metrics = createMetrics();
  const core = createCommandServices({
    config, secret, db, log, onThrottleBlocked: (key) => metrics.blocked(key),
    validateMetadata: async (metadata) => { await provider!.current.Client.validate(metadata as never); },
    keysChanged: () => provider!.refresh(),
  });
  const { queries, secretBox, hasher, passwordPolicy, accounts, signingKeys, consents, clients, throttle, mail, oneTimeSecrets } = core;
  metrics.observe({
    async mailOutbox() {
      const { pending, oldestPending } = await queries.mailOutbox.summariseOutbox();
      return { pending, oldestAgeSeconds: oldestPending ? (Date.now() - oldestPending.getTime()) / 1000 : 0 };
    },
    databasePool: () => db.poolStats(),
  });
  const mailLimits = createMailLimits({ throttle, secretBox });
  const webauthn = createWebauthn({ queries, settings: { ...config.webauthn, rpName: config.brand.name }, throttle });
  const securityNotices = createSecurityNotices({ config, queries, mail, oneTimeSecrets, accounts, throttle });
  const secondFactors = createSecondFactors({
    config, queries, throttle, webauthn, notices: securityNotices,
    totp: createTotp({ queries, secretBox, issuerName: config.brand.name }),
    recoveryCodes: createRecoveryCodes({ queries, secretBox }),
  });
  const claimAddress = createAddressClaim({ secondFactors });
  const emailVerification = createEmailVerification({ config, queries, oneTimeSecrets, mail, mailLimits, claimAddress });
  const brand = brandAssets(config.brand);
  const renderPage = createPageRenderer(brand);
  const activity = createSessionActivity({ queries });
  const markSessionActivity = sessionActivity({ activity, cookieName: sessionCookieName(new URL(config.issuer).protocol === 'https:'), log });

  // Other processes' changes to what this one caches (clients) arrive from now on.
  await db.changes.listen((error) => log.warn({ err: error }, 'change notices interrupted; caches fall back to a short lifetime'));
  const created = await signingKeys.ensureSigningKeys();
  if (created.length) log.info({ kids: created }, 'generated signing keys');
  let backchannelLogouts: BackchannelLogoutDelivery | undefined;
  provider = await createProviderHolder({
    issuer: config.issuer,
    proxyHops: config.proxyHops,
    signingKeys,
    log,
    configure: (instance) => {
      instance.on('grant.success', (ctx) => metrics.tokenIssued(String(ctx.oidc.params?.grant_type ?? 'unknown')));
      queueProviderLogouts(instance, queries, log, () => backchannelLogouts?.wake());
    },
    middleware: [
      (_ctx, next) => withRequestMemo(next),
      requestLog(log),
      holdWrites(),
      auditContext(),
      markSessionActivity,
      requestMetrics(metrics),
      securityHeaders(),
      endpointLimits({ throttle, renderPage, authorizationRule: { limit: config.authorizationRateLimit, windowSeconds: 60 } }),
      dropBogusLogoutHint(),
      introspectApiTokens(core.apiTokens),
      auditRevocations(queries),
      documentCache(),
      ...(config.authorizationByPost ? [secureCookiesOverLocalhost(config.issuer)] : []),
    ],
    dependencies: {
      adapter: createAdapterClass({ queries, clients, activity }),
      findAccount: createFindAccount(accounts),
      // A session whose account is gone or disabled is asked to sign in again.
      needsSecondFactor: async (accountId) => {
        const account = await accountOfRequest(accounts, accountId);
        return !account || secondFactors.needsSecondFactor(account);
      },
      rememberedScopes: (accountId, clientId) => consents.rememberedScopes(accountId, clientId),
      cookieKeys: secretBox.cookieKeys,
      httpsIssuer: new URL(config.issuer).protocol === 'https:',
      postMethods: config.authorizationByPost,
      staticClients: firstPartyClients(config.issuer, config.brand.name),
      dynamicRegistration: config.dynamicRegistration,
      loopbackRequests: ['localhost', '127.0.0.1', '[::1]'].includes(new URL(config.issuer).hostname),
      resourceServer: async (indicator, subject) => {
        const resource = await memoized(`resource:${indicator}`, () => core.apiResources.maybeFindByIdentifier(indicator));
        // At most an hour whatever an older row says (the limit came after 24 h was allowed).
        return resource && { permissions: await core.apiResources.permittedScopes(indicator, subject), accessTokenTtl: Math.min(resource.access_token_ttl, 3600) };
      },
      pages: createProviderPages(renderPage),
    },
  });

  backchannelLogouts = createBackchannelLogoutDelivery({ queries, provider, log });

  return {
    ...core,
    backchannelLogouts,
    metrics,
    renderPage,
    markSessionActivity,
    brand,
    mailLimits,
    provider,
    emailVerification,
    webauthn,
    secondFactors,
    securityNotices,
    passwordSignIn: createPasswordSignIn({ queries, accounts, throttle, secretBox }),
    emailCodeSignIn: createEmailCodeSignIn({ config, queries, accounts, oneTimeSecrets, mail, mailLimits, claimAddress }),
    registration: createRegistration({ config, queries, accounts, emailVerification, mail, mailLimits, throttle }),
    passwordReset: createPasswordReset({ config, queries, oneTimeSecrets, mail, mailLimits, hasher, passwordPolicy, claimAddress }),
    ownEmailChange: createOwnEmailChange({ config, queries, oneTimeSecrets, mail, mailLimits, throttle }),
    ownPasswordChange: createOwnPasswordChange({ config, queries, accounts, throttle, hasher, passwordPolicy, mail }),
    ownDevices: createOwnDevices({ queries }),
    ownApplications: createOwnApplications({ queries, consents }),
    ownActivity: createOwnActivity({ queries }),
    dataExport: createDataExport({ config, queries, accountAdmin: core.accountAdmin, applications: createOwnApplications({ queries, consents }) }),
    housekeeping: createHousekeeping({ queries, signingKeys, throttle, oneTimeSecrets, webauthn, audit: core.audit, log }),
    /** Set while shutting down, so that readiness fails and load balancers stop sending requests. */
    lifecycle: { draining: false },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
