import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, registerClient, signInForTokens, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { createPersistentTestDatabase } from '../helpers/test-database.ts';

describe('signing keys', () => {
  let app: TestApp;
  let client: TestClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  const jwks = async () => (await (await fetch(`${app.url}/jwks`)).json()) as JSONWebKeySet;
  const idTokenKid = async () => {
    const { tokens } = await signInForTokens(app, client, user);
    return { token: tokens.id_token as string, kid: decodeProtectedHeader(tokens.id_token).kid };
  };
  const rsaKids = async () => (await jwks()).keys.filter((key) => key.alg === 'RS256').map((key) => key.kid);

  beforeAll(async () => {
    app = await startApp();
    client = await registerClient(app);
    user = await createUser(app);
  });
  afterAll(() => app?.close());

  it('generates RS256, ES256 and EdDSA keys at first start and publishes only their public halves', async () => {
    const { keys } = await jwks();
    expect(keys.map((key) => key.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    for (const key of keys) {
      expect(key.use).toBe('sig');
      expect(key.kid).toBeTruthy();
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('keeps private keys encrypted at rest', async () => {
    const rows = await app.services.db.knex('signing_keys').select('private_jwk_sealed');
    expect(rows.length).toBe(3);
    for (const row of rows) {
      expect(row.private_jwk_sealed).toMatch(/^v1\./);
      expect(row.private_jwk_sealed).not.toContain('"d"');
    }
  });

  it('publishes a rotated key before it signs, then signs with it while the old key stays published', async () => {
    const before = await idTokenKid();
    const [oldKid] = await rsaKids();
    expect(before.kid).toBe(oldKid);

    const scheduled = await app.cli('keys', 'rotate', '--activate-in', '1h', '--json');
    expect(scheduled.code).toBe(0);
    const next = JSON.parse(scheduled.stdout) as { kids: string[] };
    expect(await rsaKids()).toHaveLength(2);
    expect((await idTokenKid()).kid).toBe(oldKid); // published, not signing yet
    expect((await app.cli('keys', 'list')).stdout).toMatch(/next/);

    const now = await app.cli('keys', 'rotate', '--activate-in', '0', '--json');
    const current = JSON.parse(now.stdout) as { kids: string[] };
    const after = await idTokenKid();
    expect(current.kids).toContain(after.kid);
    expect(next.kids).not.toContain(after.kid);
    expect(await rsaKids()).toEqual(expect.arrayContaining([oldKid, after.kid]));

    // a token signed before the rotation still verifies against the published keys
    const set = createLocalJWKSet(await jwks());
    await expect(jwtVerify(before.token, set, { issuer: app.url })).resolves.toBeTruthy();
    const listing = (await app.cli('keys', 'list')).stdout;
    expect(listing).toMatch(new RegExp(`${oldKid}\\s+RS256\\s+retiring`));
  });

  it('drops a key that a later rotation superseded before it ever signed', async () => {
    const published = async () => (await jwks()).keys.filter((key) => key.alg === 'ES256').map((key) => key.kid);
    const [signing] = await published();
    const first = JSON.parse((await app.cli('keys', 'rotate', '--activate-in', '5m', '--json')).stdout) as { kids: string[] };
    const second = JSON.parse((await app.cli('keys', 'rotate', '--activate-in', '2h', '--json')).stdout) as { kids: string[] };
    const es256 = await published();
    for (const kid of first.kids) expect(es256).not.toContain(kid);
    expect(es256).toContain(signing);
    expect(second.kids.filter((kid) => es256.includes(kid))).toHaveLength(1); // its ES256 key, waiting to sign
    // the key still signing stays published until long after its successor takes over
    const row = await app.services.db.knex('signing_keys').where({ kid: signing }).first();
    expect(row.expires_at.getTime()).toBeGreaterThan(Date.now() + 2 * 60 * 60 * 1000 + 13 * 24 * 60 * 60 * 1000);
  });

  it('signs ID tokens with ES256 or EdDSA for clients registered so', async () => {
    for (const alg of ['ES256', 'EdDSA']) {
      const created = await app.cli('clients', 'create', '--name', alg, '--redirect-uri', 'http://localhost:9/cb', '--id-token-alg', alg, '--json');
      const { client_id: clientId, client_secret: clientSecret } = JSON.parse(created.stdout);
      const { tokens } = await signInForTokens(app, { clientId, clientSecret }, user);
      expect(decodeProtectedHeader(tokens.id_token).alg).toBe(alg);
      await expect(jwtVerify(tokens.id_token, createLocalJWKSet(await jwks()), { issuer: app.url, audience: clientId })).resolves.toBeTruthy();
    }
  });

  it('stops publishing a retired key once its tokens have expired, and sweeps it away', async () => {
    const retiring = await app.services.db.knex('signing_keys').whereNotNull('expires_at').select('kid');
    expect(retiring.length).toBeGreaterThan(0);
    // let the clock run past the retirement of every retiring key
    await app.services.db.knex('signing_keys').whereNotNull('expires_at').update({ expires_at: app.services.db.knex.raw("now() - interval '1 second'") });
    await app.services.provider.refresh();
    const published = (await jwks()).keys.map((key) => key.kid);
    for (const { kid } of retiring) expect(published).not.toContain(kid);
    const swept = await app.services.housekeeping.sweep();
    expect(swept.keys).toBe(retiring.length);
  });
});

describe('LATCHKEY_SECRET', () => {
  it('refuses to start with a secret other than the one the keys were sealed with', async () => {
    const database = await createPersistentTestDatabase();
    try {
      const first = await startApp({ location: database.location });
      await first.close();
      await expect(startApp({ location: database.location, env: { LATCHKEY_SECRET: 'another-secret-that-is-also-long-enough' } }))
        .rejects.toThrow(/LATCHKEY_SECRET differs from the one it was encrypted with/);
    } finally {
      await database.drop();
    }
  });
});
