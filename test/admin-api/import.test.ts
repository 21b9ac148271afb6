import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdminApi } from '../helpers/admin-api.ts';
import { HttpSession } from '../helpers/http-session.ts';
import { openSignIn } from '../helpers/hosted-pages.ts';
import { registerClient, signInForTokens, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let dir: string;
let api: Awaited<ReturnType<typeof openAdminApi>>;
let admin: string;

beforeAll(async () => {
  app = await startApp();
  client = await registerClient(app, { skipConsent: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-import-'));
  api = await openAdminApi(app);
  admin = JSON.parse((await app.cli('api-tokens', 'create', '--name', 'import', '--scope', 'admin', '--json')).stdout).token;
});
afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Each format as the system that made it stores it: bcrypt as PHP and Node write it, Django's
// pbkdf2_sha256$iterations$salt$base64, argon2 with other parameters, scrypt in passlib's form.
function django(password: string, iterations = 1000) {
  const salt = crypto.randomBytes(9).toString('base64url');
  return `pbkdf2_sha256$${iterations}$${salt}$${crypto.pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;
}
function passlibScrypt(password: string) {
  const salt = crypto.randomBytes(16);
  const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
  return `$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(crypto.scryptSync(password, salt, 32, { N: 2 ** 14, r: 8, p: 1 }))}`;
}

const tag = () => crypto.randomBytes(3).toString('hex');

async function signsIn(email: string, password: string) {
  const session = new HttpSession();
  const { page } = await openSignIn(app, client, session);
  return (await submitLogin(session, app, page, email, password)).status !== 401;
}

describe('moving people in', () => {
  it('imports bcrypt, Django PBKDF2, argon2 and scrypt hashes; each signs in as it is and is rehashed to argon2id', async () => {
    const t = tag();
    await app.cli('roles', 'create', '--name', 'editor');
    const people = [
      { email: `b2b.${t}@example.test`, password: 'old bcrypt password 1', hash: (p: string) => bcrypt.hashSync(p, 10) },
      { email: `b2y.${t}@example.test`, password: 'old php password 2', hash: (p: string) => bcrypt.hashSync(p, 10).replace(/^\$2b\$/, '$2y$') },
      { email: `django.${t}@example.test`, password: 'old django password 3', hash: (p: string) => django(p) },
      { email: `argon.${t}@example.test`, password: 'old argon password 4', hash: (p: string) => argon2.hash(p, { type: argon2.argon2i, memoryCost: 4096, timeCost: 3 }) },
      { email: `scrypt.${t}@example.test`, password: 'old scrypt password 5', hash: (p: string) => passlibScrypt(p) },
    ];
    const lines = await Promise.all(people.map(async (person, index) => JSON.stringify({
      email: person.email, name: `Person ${index}`, email_verified: true, password_hash: await person.hash(person.password),
      ...(index === 0 ? { roles: ['EDITOR'], external_id: 'legacy-1', created_at: '2019-05-01T10:00:00Z' } : {}),
    })));
    const file = path.join(dir, 'people.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n\n`);

    const dry = JSON.parse((await app.cli('users', 'import', file, '--dry-run', '--json')).stdout);
    expect(dry).toMatchObject({ lines: 5, created: 5, unchanged: 0, refused: [], dry_run: true });
    expect(await app.services.queries.accounts.maybeFindAccountByEmail(people[0]!.email)).toBeUndefined();

    const done = await app.cli('users', 'import', file);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('Imported 5 account(s)');
    const first = (await app.services.queries.accounts.maybeFindAccountByEmail(people[0]!.email))!;
    expect(first).toMatchObject({ roles: ['editor'], external_id: 'legacy-1', signup_method: 'import', email_verified: true });
    expect(first.created_at.toISOString()).toBe('2019-05-01T10:00:00.000Z');

    for (const person of people) {
      expect(await signsIn(person.email, `${person.password}!`), `${person.email} with a wrong password`).toBe(false);
      await signInForTokens(app, client, person);
      const stored = (await app.services.queries.accounts.maybeFindAccountByEmail(person.email))!.password_hash!;
      expect(stored, person.email).toMatch(/^\$argon2id\$v=19\$/);
      expect(stored).toContain('m=19456');
      await signInForTokens(app, client, person); // and the new hash works
    }
    const [created] = (await app.services.audit.list({ subjectId: first.id, types: ['account.created'], limit: 1 })).events;
    expect(created).toMatchObject({ actor: { type: 'cli' }, details: { method: 'import' } });

    const again = JSON.parse((await app.cli('users', 'import', file, '--json')).stdout);
    expect(again).toMatchObject({ created: 0, unchanged: 5, refused: [] });
  });

  it('imports nothing from a file with a refused line, and says which lines and why', async () => {
    const t = tag();
    const file = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(file, [
      JSON.stringify({ email: `fine.${t}@example.test`, password_hash: bcrypt.hashSync('whatever pass', 4) }),
      JSON.stringify({ email: `md5.${t}@example.test`, password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' }),
      JSON.stringify({ email: `FINE.${t}@example.test` }),
      '{ not json',
      JSON.stringify({ email: `role.${t}@example.test`, roles: ['nonexistent'] }),
      JSON.stringify({ email: 'not an address' }),
      JSON.stringify({ email: `extra.${t}@example.test`, surprise: 1 }),
    ].join('\n'));
    const refused = await app.cli('users', 'import', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('6 line(s) refused; nothing was imported');
    expect(refused.stdout.split('\n').filter(Boolean).map((line) => line.replace(/:.*/, ''))).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(refused.stdout).toContain('line 3: email: the same address as line 1');
    expect(refused.stdout).toContain('line 5: roles: no role nonexistent');
    expect(await app.services.queries.accounts.maybeFindAccountByEmail(`fine.${t}@example.test`)).toBeUndefined();
    expect((await app.cli('users', 'import', path.join(dir, 'missing.jsonl'))).code).toBe(2);
  });

  it('is the same through the admin API: 200 with the report, 422 with nothing imported', async () => {
    const t = tag();
    const fine = await api.call(admin, 'post', '/users/import', { users: [{ email: `api.${t}@example.test`, email_verified: true, password_hash: django('api pass word 9') }] });
    expect(fine.status).toBe(200);
    expect(fine.body).toMatchObject({ lines: 1, created: 1, unchanged: 0, refused: [], dry_run: false });
    await signInForTokens(app, client, { email: `api.${t}@example.test`, password: 'api pass word 9' });
    const bad = await api.call(admin, 'post', '/users/import', { users: [{ email: `api2.${t}@example.test` }, { email: `api3.${t}@example.test`, password_hash: 'plain' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.refused).toEqual([{ line: 2, reason: expect.stringContaining('password_hash') }]);
    expect(await app.services.queries.accounts.maybeFindAccountByEmail(`api2.${t}@example.test`)).toBeUndefined();
  });

  it('had its operation answered with documented, valid bodies', () => {
    expect([...api.seen].filter((key) => key.startsWith('post /users/import')).sort()).toEqual(['post /users/import 200', 'post /users/import 422']);
  });
});

describe('hashes an import refuses', () => {
  it('refuses hashes too costly to check or too short to mean anything, and never signs in with one', async () => {
    const { checkHash, verifyImportedHash } = await import('../../src/libraries/imported-hashes.ts');
    const empty = '$scrypt$ln=1,r=1,p=1$AA$A';
    expect(checkHash(empty)).toEqual({ problem: 'scrypt salt or hash too short' });
    expect(await verifyImportedHash(empty, 'anything')).toBe(false);
    expect('problem' in checkHash(`$2b$31$${'a'.repeat(53)}`)).toBe(true); // days per guess
    expect('problem' in checkHash(django('x', 9_999_999))).toBe(true);
    expect('problem' in checkHash('$scrypt$ln=20,r=8,p=999$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g')).toBe(true);
    expect('problem' in checkHash('$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo')).toBe(true);
    const t = tag();
    const report = await app.services.accountImport.importAccounts([{ line: 1, value: { email: `cheap.${t}@example.test`, password_hash: empty } }]);
    expect(report.refused).toEqual([{ line: 1, reason: 'password_hash is refused: scrypt salt or hash too short' }]);
  });
});

describe('an imported address nobody proved', () => {
  it('passes to whoever proves it, as a registration would: the old system\'s registrant may not have been its owner', async () => {
    const t = tag();
    await app.services.accountImport.importAccounts([{ line: 1, value: { email: `unproved.${t}@example.test`, email_verified: false, password_hash: bcrypt.hashSync('set by a stranger', 4) } }]);
    const imported = (await app.services.queries.accounts.maybeFindAccountByEmail(`unproved.${t}@example.test`))!;
    expect(await app.services.queries.accounts.claimUnverifiedAccount(imported.id)).toBe(true);
    expect((await app.services.queries.accounts.maybeFindAccountById(imported.id))!).toMatchObject({ email_verified: true, password_hash: null });
    const made = await app.services.accountAdmin.create({ email: `made.${t}@example.test`, invite: false });
    expect(await app.services.queries.accounts.claimUnverifiedAccount(made.id)).toBe(false); // an administrator's account is theirs to vouch for
  });
});

describe('argon2 hashes an import refuses', () => {
  it('refuses a parameter given twice (argon2 would take the hidden later one) and a hash too short', async () => {
    const { checkHash, verifyImportedHash } = await import('../../src/libraries/imported-hashes.ts');
    const good = await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1 });
    expect(checkHash(good)).toEqual({ kind: 'argon2' });
    const [, , version, params, salt, hash] = good.split('$');
    expect('problem' in checkHash(`$argon2id$${version}$${params},data=AA,t=60$${salt}$${hash}`)).toBe(true);
    expect('problem' in checkHash(`$argon2id$${version}$m=4096,t=1,t=60$${salt}$${hash}`)).toBe(true);
    expect('problem' in checkHash(`$argon2id$${version}$${params}$${salt}$AAAAAA`)).toBe(true);
    expect(await verifyImportedHash(`$2b$13$${'a'.repeat(53)}`, 'x')).toBe(false); // over the bcrypt limit: never checked
  });
});
