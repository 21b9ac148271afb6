// Builds the oidc-provider instance and keeps it current: signing keys live in the database,
// so when a rotation publishes or activates a key, a new instance replaces the old one.
// Nothing else lives in the instance (sessions, grants and tokens are in the database).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { buildProviderConfiguration, type ProviderDependencies } from '../config/oidc.ts';
import type { KeySet, SigningKeys } from '../libraries/signing-keys.ts';
import { refuseOpenIdScopesForClientCredentials } from './client-credentials.ts';

export interface ProviderHolder {
  readonly current: Provider;
  /** Handles a request with the current instance. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Rebuilds the instance if the published or signing keys changed. */
  refresh(): Promise<boolean>;
  stop(): void;
}

export async function createProviderHolder(options: {
  issuer: string;
  proxyHops: number;
  signingKeys: SigningKeys;
  dependencies: Omit<ProviderDependencies, 'signingKeys'>;
  /** Koa middleware run before the provider's own routing, on every instance. */
  middleware?: Middleware[];
  /** Called with every instance built (to listen to its events). */
  configure?: (provider: Provider) => void;
  log: Logger;
  refreshEveryMs?: number;
}): Promise<ProviderHolder> {
  const { issuer, proxyHops, signingKeys, dependencies, log } = options;

  const build = (keySet: KeySet) => {
    const provider = new Provider(issuer, buildProviderConfiguration({ ...dependencies, signingKeys: keySet.keys }));
    provider.proxy = proxyHops > 0;
    provider.maxIpsCount = proxyHops;
    provider.on('server_error', (_ctx, error) => log.error({ err: error }, 'oidc-provider server error'));
    for (const middleware of options.middleware ?? []) provider.use(middleware as never);
    refuseOpenIdScopesForClientCredentials(provider);
    options.configure?.(provider);
    return { provider, handler: provider.callback(), fingerprint: keySet.fingerprint };
  };

  let state = build(await signingKeys.loadKeySet());
  let refreshing: Promise<boolean> | undefined;

  async function refresh(): Promise<boolean> {
    if ((await signingKeys.keySetFingerprint()) === state.fingerprint) return false;
    state = build(await signingKeys.loadKeySet());
    log.info({ keys: state.fingerprint }, 'signing keys changed; provider rebuilt');
    return true;
  }

  const timer = setInterval(() => {
    refreshing ??= refresh()
      .catch((error: unknown) => { log.error({ err: error }, 'signing key refresh failed'); return false; })
      .finally(() => { refreshing = undefined; });
  }, options.refreshEveryMs ?? 10_000);
  timer.unref();

  return {
    get current() { return state.provider; },
    handle: (req, res) => state.handler(req, res) as Promise<void>,
    refresh,
    stop: () => clearInterval(timer),
  };
}
