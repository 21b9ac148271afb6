import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../helpers/start-app.ts';
import { errorLines, freePort, runCli, runNode, startServerProcess } from '../helpers/processes.ts';
import { until } from '../mail/mail-test-kit.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.ts';

describe('latchkey CLI', () => {
  let dataDir: string;
  let database: TestDatabase;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-'));
    database = await createTestDatabase();
    env = { DATA_DIR: dataDir, LATCHKEY_SECRET: TEST_SECRET, ...(database.url ? { DATABASE_URL: database.url } : {}) };
  });
  afterAll(async () => {
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates a fresh database, and says when there is nothing left to apply', async () => {
    const first = await cli('migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Applied \d+ migration\(s\): /);
    const again = await cli('migrate');
    expect(again.stdout.trim()).toBe('The database schema is up to date.');
  });

  it('registers a confidential client and prints its secret once, as one JSON object', async () => {
    const created = await cli('clients', 'create', '--name', 'Shop', '--redirect-uri', 'https://shop.example/cb',
      '--redirect-uri', 'http://127.0.0.1:8080/cb', '--post-logout-redirect-uri', 'https://shop.example/bye',
      '--grant-type', 'authorization_code', '--grant-type', 'refresh_token', '--grant-type', 'client_credentials', '--scope', 'openid', '--scope', 'email', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim().split('\n')).toHaveLength(1);
    const client = JSON.parse(created.stdout);
    expect(client).toMatchObject({
      client_name: 'Shop', public: false, redirect_uris: ['https://shop.example/cb', 'http://127.0.0.1:8080/cb'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], scope: 'openid email',
    });
    expect(client.client_id).toMatch(/^[0-9a-f]{32}$/);
    expect(client.client_secret).toMatch(/^[\w-]{40,}$/);

    const shown = JSON.parse((await cli('clients', 'show', client.client_id, '--json')).stdout);
    expect(shown.client_id).toBe(client.client_id);
    expect(shown).not.toHaveProperty('client_secret');

    const rotated = JSON.parse((await cli('clients', 'rotate-secret', client.client_id, '--json')).stdout);
    expect(rotated.client_secret).not.toBe(client.client_secret);

    const listed = await cli('clients', 'list');
    expect(listed.stdout).toContain(client.client_id);
    expect((await cli('clients', 'delete', client.client_id)).code).toBe(0);
    expect((await cli('clients', 'show', client.client_id)).code).toBe(1);
  });

  it('registers a public client without a secret, and marks first-party clients', async () => {
    const created = await cli('clients', 'create', '--name', 'SPA', '--public', '--skip-consent', '--redirect-uri', 'http://localhost:5173/cb', '--json');
    const client = JSON.parse(created.stdout);
    expect(client).toMatchObject({ public: true, skip_consent: true });
    expect(client).not.toHaveProperty('client_secret');
    const human = await cli('clients', 'show', client.client_id);
    expect(human.stdout).toContain('public (PKCE, no secret)');
  });

  it('refuses bad arguments with one line, a non-zero exit and no change', async () => {
    const before = JSON.parse((await cli('clients', 'list', '--json')).stdout).clients.length;
    const bad: string[][] = [
      ['clients', 'create', '--redirect-uri', 'https://a.example/cb'],
      ['clients', 'create', '--name', 'X', '--redirect-uri', 'http://evil.example/cb'],
      ['clients', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb#frag'],
      ['clients', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--grant-type', 'password'],
      ['clients', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--public', '--grant-type', 'client_credentials'],
      ['clients', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--colour', 'blue'],
      ['clients', 'frobnicate'],
      ['users', 'create', '--email', 'not-an-email', '--password', 'long enough password'],
      ['users', 'create', '--email', 'short@example.test', '--password', 'short'],
      ['keys', 'rotate', '--activate-in', 'soon'],
      ['keys', 'rotate', '--activate-in', '99999999999h'],
      ['clients', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--id-token-alg', 'HS256'],
      ['nonsense'],
    ];
    for (const args of bad) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(errorLines(result.stderr), args.join(' ')).toHaveLength(1);
      expect(errorLines(result.stderr)[0], args.join(' ')).toMatch(/^latchkey: /);
    }
    expect(JSON.parse((await cli('clients', 'list', '--json')).stdout).clients).toHaveLength(before);
  });

  it('names the whole command in its messages, and answers a bad number in words of its own', async () => {
    const cases: Array<[string[], string]> = [
      [['users', 'create', '--email', 'x@example.test'], 'latchkey: users create needs --password, --password-stdin or --invite (see latchkey users --help)'],
      [['clients', 'create', '--redirect-uri', 'https://a.example/cb'], 'latchkey: clients create needs --name (see latchkey clients --help)'],
      [['users', 'list', '--limit', '-5'], 'latchkey: users list --limit takes a whole number, such as 20 (see latchkey users --help)'],
      [['users', 'list', '--limit', 'ten'], 'latchkey: users list --limit takes a whole number, such as 20 (see latchkey users --help)'],
      [['users', 'list', '--colour', 'blue'], 'latchkey: users list has no option --colour (see latchkey users --help)'],
      [['keys', 'rotate', '--activate-in'], 'latchkey: keys rotate --activate-in takes a duration such as 0, 90s, 5m or 2h (see latchkey keys --help)'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(errorLines(result.stderr), args.join(' ')).toEqual([message]);
    }
  });

  it('creates users (password from stdin), lists, disables and enables them', async () => {
    const created = await runCli(['users', 'create', '--email', 'Grace@Example.test', '--password-stdin', '--name', 'Grace Hopper', '--verified', '--json'], env, 'a long enough passphrase\n');
    expect(created.code, created.stderr).toBe(0);
    const user = JSON.parse(created.stdout);
    expect(user).toMatchObject({ email: 'grace@example.test', email_verified: true, name: 'Grace Hopper', disabled: false });

    const duplicate = await cli('users', 'create', '--email', 'grace@example.TEST', '--password', 'another long password');
    expect(duplicate.code).toBe(1);
    expect(errorLines(duplicate.stderr)[0]).toMatch(/already exists/);

    expect((await cli('users', 'disable', 'grace@example.test')).stdout).toContain('Disabled');
    const listed = JSON.parse((await cli('users', 'list', '--json')).stdout);
    expect(listed.users.find((u: { id: string }) => u.id === user.id).disabled).toBe(true);
    expect((await cli('users', 'enable', user.id)).stdout).toContain('Enabled');
  });

  it('lists and rotates signing keys', async () => {
    const listed = JSON.parse((await cli('keys', 'list', '--json')).stdout);
    expect(listed.keys.map((key: { alg: string }) => key.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    const rotated = await cli('keys', 'rotate');
    expect(rotated.stdout).toMatch(/^Published new signing keys/);
    expect(JSON.parse((await cli('keys', 'list', '--json')).stdout).keys).toHaveLength(6);
  });

  it('prints help for the whole CLI and for each command group', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const command of ['migrate', 'clients create', 'users create', 'keys rotate']) expect(help.stdout).toContain(`latchkey ${command}`);
    expect((await cli('clients', '--help')).stdout).toContain('--redirect-uri');
  });

  it.skipIf(onPostgres)('hands commands to the running server, which owns the embedded database, and stops gracefully', async () => {
    const port = await freePort();
    const server = await startServerProcess({ DATA_DIR: dataDir, LATCHKEY_SECRET: TEST_SECRET, LOG_LEVEL: 'info' }, port);
    try {
      const created = await cli('clients', 'create', '--name', 'While running', '--redirect-uri', 'http://localhost:9/cb', '--json');
      expect(created.code, created.stderr).toBe(0);
      const { client_id: clientId } = JSON.parse(created.stdout);
      await until(async () => server.output().includes('"ran CLI command"')); // the log is written in the background
      // the server knows the new client at once
      const auth = await fetch(`${server.url}/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=http://localhost:9/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
      expect(auth.status).toBe(303);
      expect(auth.headers.get('location')).toMatch(/^\/interaction\//);

      // a second server on the same data directory is refused, saying why
      const second = await runNode(['bin/latchkey.mjs', 'serve'], { DATA_DIR: dataDir, LATCHKEY_SECRET: TEST_SECRET, PORT: String(await freePort()) });
      expect(second.code).toBe(1);
      expect(errorLines(second.stderr).join('\n')).toMatch(/in use by a running server \(pid \d+\)/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).toContain('"msg":"stopped"');
    expect(fs.existsSync(path.join(dataDir, 'latchkey.lock'))).toBe(false);
    // with the server gone, the CLI opens the database itself again
    const listed = await cli('clients', 'list');
    expect(listed.stdout, listed.stderr).toContain('While running');
  });
});
