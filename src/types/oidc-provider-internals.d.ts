// The two oidc-provider modules oidc/client-credentials.ts builds on (the package has no
// exports map, so they are importable; they carry no types of their own).
declare module 'oidc-provider/lib/actions/grants/client_credentials.js' {
  import type { KoaContextWithOIDC } from 'oidc-provider';
  export const handler: (provider: unknown, helpers: Record<string, unknown>, ctx: KoaContextWithOIDC) => Promise<void>;
  export const parameters: Set<string>;
}

declare module 'oidc-provider/lib/helpers/grants.js' {
  const helpers: Record<string, (...args: never[]) => unknown>;
  export = helpers;
}
