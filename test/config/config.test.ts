import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTableMarkdown, configWarnings, loadConfig } from '../../src/config/env.ts';
import { resolveSecret } from '../../src/config/secret.ts';
import { projectRoot } from '../helpers/processes.ts';

describe('configuration', () => {
  it('runs with no settings at all on a laptop', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, issuer: 'http://localhost:3000', databaseUrl: undefined, production: false, proxyHops: 0 });
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.passwordHash).toEqual({ memoryKiB: 19456, iterations: 2 });
    expect(config.passwordMinLength).toBe(8);
  });

  it('derives the issuer from PORT and drops a trailing slash from ISSUER', () => {
    expect(loadConfig({ PORT: '8080' }).issuer).toBe('http://localhost:8080');
    expect(loadConfig({ ISSUER: 'https://id.example.com/' }).issuer).toBe('https://id.example.com');
  });

  it('names every bad setting in one clear message', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TRUST_PROXY: 'maybe' }))
      .toThrow(/PORT must be a whole number.*DATABASE_URL must be a postgres: or postgresql: URL.*TRUST_PROXY/);
    expect(() => loadConfig({ ISSUER: 'https://id.example.com/?x=1' })).toThrow(/ISSUER must not have a query or fragment/);
    expect(() => loadConfig({ LATCHKEY_SECRET: 'short' })).toThrow(/LATCHKEY_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ PASSWORD_HASH_MEMORY_KIB: '8192', PASSWORD_HASH_ITERATIONS: '1' })).toThrow(/OWASP minimum/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('takes a longer password minimum, but never below 8 or above 64 (a verifier must allow 64)', () => {
    expect(loadConfig({ PASSWORD_MIN_LENGTH: '15' }).passwordMinLength).toBe(15);
    expect(loadConfig({ PASSWORD_MIN_LENGTH: '64' }).passwordMinLength).toBe(64);
    expect(() => loadConfig({ PASSWORD_MIN_LENGTH: '6' })).toThrow(/PASSWORD_MIN_LENGTH must be at least 8/);
    expect(() => loadConfig({ PASSWORD_MIN_LENGTH: '65' })).toThrow(/PASSWORD_MIN_LENGTH must be at most 64/);
  });

  it('reads TRUST_PROXY as a number of proxies in front', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).proxyHops).toBe(0);
    expect(loadConfig({ TRUST_PROXY: 'true' }).proxyHops).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).proxyHops).toBe(2);
  });

  it('requires a secret, an issuer and an SMTP server in production, and warns about what only suits a laptop', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/LATCHKEY_SECRET is required when NODE_ENV=production; ISSUER is required.*; SMTP_URL is required/);
    const config = loadConfig({ NODE_ENV: 'production', LATCHKEY_SECRET: 'x'.repeat(40), ISSUER: 'http://id.example.com', SMTP_URL: 'smtp://mail.example.com:587' });
    expect(configWarnings(config).join('\n')).toMatch(/not https[\s\S]*GET only: POST needs a SameSite=None session cookie[\s\S]*DATABASE_URL is unset/);
    expect(config.authorizationByPost).toBe(false);
    expect(loadConfig({}).authorizationByPost).toBe(true); // http://localhost: browsers keep Secure cookies from it
    const behindProxy = loadConfig({ NODE_ENV: 'production', LATCHKEY_SECRET: 'x'.repeat(40), ISSUER: 'https://id.example.com', TRUST_PROXY: 'true', DATABASE_URL: 'postgres://db/latchkey', SMTP_URL: 'smtp://mail.example.com:587' });
    expect(configWarnings(behindProxy)).toEqual([]);
    // https reaches Latchkey only through a proxy it must be told about, or no cookie could be Secure.
    expect(() => loadConfig({ NODE_ENV: 'production', LATCHKEY_SECRET: 'x'.repeat(40), ISSUER: 'https://id.example.com', SMTP_URL: 'smtp://mail.example.com:587' }))
      .toThrow(/TRUST_PROXY must name the proxies in front when ISSUER is https/);
  });

  it('serves metrics on a private address of its own unless told off', () => {
    expect(loadConfig({}).metricsAddress).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ METRICS_ADDRESS: 'off' }).metricsAddress).toBeUndefined();
    expect(loadConfig({ METRICS_ADDRESS: '[::1]:9100' }).metricsAddress).toEqual({ host: '::1', port: 9100 });
    expect(() => loadConfig({ METRICS_ADDRESS: 'everywhere' })).toThrow(/METRICS_ADDRESS must be HOST:PORT or off/);
  });

  it('generates a development secret once, readable by the owner only, and reuses it', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-secret-'));
    fs.chmodSync(dataDir, 0o755); // made by someone else, open to all
    try {
      const warnings: string[] = [];
      const config = loadConfig({ DATA_DIR: dataDir });
      const first = resolveSecret(config, (message) => warnings.push(message), (message) => warnings.push(message));
      const second = resolveSecret(config, (message) => warnings.push(message), (message) => warnings.push(message));
      expect(first).toBe(second);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(fs.statSync(path.join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      // Generated the first time, said so; reused the second, said that instead.
      expect(warnings).toEqual([expect.stringMatching(/^LATCHKEY_SECRET is unset: generated a development secret in /), expect.stringMatching(/using the development secret generated earlier in /)]);
      expect(resolveSecret(loadConfig({ DATA_DIR: dataDir, LATCHKEY_SECRET: 'y'.repeat(32) }), () => {})).toBe('y'.repeat(32));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('is documented in README with the table generated from the same list', () => {
    const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    expect(readme).toContain(configTableMarkdown());
  });
});
