// Checks client metadata exactly as the running provider will, for the CLI, which runs no
// provider: an instance built from the same configuration, with nothing behind it but the keys.
import Provider, { type Adapter } from 'oidc-provider';
import { buildProviderConfiguration } from '../config/oidc.ts';
import type { Config } from '../config/env.ts';
import type { KeySet } from '../libraries/signing-keys.ts';

class NoStorage implements Adapter {
  async upsert(): Promise<void> { throw new Error('client validation stores nothing'); }
  async find(): Promise<undefined> { return undefined; }
  async findByUid(): Promise<undefined> { return undefined; }
  async findByUserCode(): Promise<undefined> { return undefined; }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

export async function validateClientMetadata(config: Config, keySet: KeySet, metadata: Record<string, unknown>): Promise<void> {
  const unused = async () => { throw new Error('client validation renders nothing'); };
  const provider = new Provider(config.issuer, buildProviderConfiguration({
    adapter: NoStorage,
    findAccount: async () => undefined,
    rememberedScopes: async () => [],
    needsSecondFactor: async () => false,
    resourceServer: async () => undefined,
    dynamicRegistration: false,
    signingKeys: keySet.keys,
    cookieKeys: ['client-validation-only'],
    httpsIssuer: config.issuer.startsWith('https:'),
    postMethods: config.authorizationByPost,
    staticClients: [],
    loopbackRequests: false,
    pages: { renderError: unused, logoutSource: unused, postLogoutSuccessSource: unused },
  }));
  await provider.Client.validate(metadata as never);
}
