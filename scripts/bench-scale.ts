// Benchmark: sign-in latency with a million accounts against a thousand, and the plans of the
// lookups on the hot path (each must use an index). Two Postgres databases are filled in bulk
// (one argon2id hash, computed once, shared by every account), a Latchkey process serves each,
// and people sign in over HTTP to random accounts, one at a time, A B A B.
//   npm run bench:scale                      1,000,000 accounts (DATABASE_URL, or the local server)
//   npm run bench:scale -- --accounts 200000
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { BENCH_PASSWORD, BENCH_REDIRECT_URI } from './bench/fixtures.ts';
import { signIn, type SignInTarget } from './bench/sign-in-agent.ts';

const { values: options } = parseArgs({ options: { accounts: { type: 'string' }, rounds: { type: 'string' } } });
const LARGE = Number(options.accounts ?? 1_000_000);
const SMALL = 1_000;
const ROUNDS = Number(options.rounds ?? 6);
const PER_ROUND = 10;
const root = path.resolve(import.meta.dirname, '..');
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try { await client.query(sql); } finally { await client.end(); }
};
const percentile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;

interface Deployment extends SignInTarget { name: string; accounts: number; database: string; child: ChildProcess; url: string }

async function fill(databaseUrl: string, accounts: number, hash: string) {
  const db = await openDatabase({ databaseUrl });
  try {
    await migrateToLatest(db.knex);
    const started = performance.now();
    for (let from = 1; from <= accounts; from += 100_000) {
      const to = Math.min(accounts, from + 99_999);
      await db.knex.raw(
        `insert into accounts (id, email, email_verified, password_hash, roles)
         select gen_random_uuid(), 'person' || n || '@scale.example', true, ?, '{}' from generate_series(?::int, ?::int) as n`,
        [hash, from, to],
      );
    }
    await db.knex.raw('analyze accounts');
    console.log(`  ${accounts.toLocaleString('en')} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }
}

async function deploy(accounts: number, hash: string): Promise<Deployment> {
  const database = `latchkey_scale_${crypto.randomBytes(4).toString('hex')}`;
  await admin(`create database ${database}`);
  const databaseUrl = `${server.replace(/\/[^/]*$/, '')}/${database}`;
  await fill(databaseUrl, accounts, hash);
  const port = 3960 + accounts % 7;
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), LATCHKEY_SECRET: 'benchmark-secret-that-is-long-enough-for-latchkey', LOG_LEVEL: 'warn', METRICS_ADDRESS: 'off', AUTHORIZATION_RATE_LIMIT: '0' };
  const child = spawn(path.join(root, 'bin/latchkey'), ['serve'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://localhost:${port}`;
  for (let i = 0; !(await fetch(`${url}/healthz`).then((r) => r.ok, () => false)); i++) {
    if (i > 300) throw new Error('Latchkey did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const created = spawnSync(path.join(root, 'bin/latchkey'), ['clients', 'create', '--name', 'Scale', '--redirect-uri', BENCH_REDIRECT_URI, '--skip-consent', '--json'], { cwd: root, env, encoding: 'utf8' });
  const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
  return { name: `${accounts.toLocaleString('en')} accounts`, accounts, database, child, url, client: { id: client.client_id, secret: client.client_secret } };
}

/** The first line of each hot lookup's plan on the large database. */
async function plans(database: string) {
  const client = new pg.Client({ connectionString: `${server.replace(/\/[^/]*$/, '')}/${database}` });
  await client.connect();
  const lookups: Array<[string, string, unknown[]]> = [
    ['account by address', 'select * from accounts where lower(email) = lower($1) limit 1', ['person500000@scale.example']],
    ['account by id', 'select * from accounts where id = $1 limit 1', [crypto.randomUUID()]],
    ['account factors', `select roles, exists (select 1 from totp_factors where account_id = accounts.id and confirmed_at is not null) or exists (select 1 from webauthn_credentials where account_id = accounts.id) from accounts where id = $1`, [crypto.randomUUID()]],
    ['provider record by id', `select payload from oidc_payloads where model = 'Session' and id = $1`, ['x']],
    ['provider record by uid', `select payload from oidc_payloads where model = 'Session' and uid = $1`, ['x']],
    ['records of an account', 'delete from oidc_payloads where account_id = $1', ['x']],
    ['throttle keys', `select max(blocked_until) from throttles where key in ($1, $2)`, ['a', 'b']],
    ['mailed code', `select * from one_time_secrets where purpose = 'sign_in' and kind = 'code' and email = $1 and consumed_at is null order by created_at desc limit 1`, ['x@y.z']],
    ['remembered consent', 'select * from consents where account_id = $1 and client_id = $2', [crypto.randomUUID(), 'x']],
  ];
  try {
    for (const [what, sql, values] of lookups) {
      const plan = await client.query(`explain ${sql}`, values);
      console.log(`  ${what.padEnd(26)} ${(plan.rows as Array<{ 'QUERY PLAN': string }>).map((row) => row['QUERY PLAN'].trim()).find((line) => /Scan|Result/.test(line))}`);
    }
  } finally {
    await client.end();
  }
}

console.log(`Filling two Postgres databases (one argon2id hash for all):`);
const hash = await argon2.hash(BENCH_PASSWORD, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
const small = await deploy(SMALL, hash);
const large = await deploy(LARGE, hash);
try {
  const times = new Map<Deployment, number[]>([[small, []], [large, []]]);
  for (const deployment of [small, large]) await signIn(deployment, 'person1@scale.example'); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const deployment of [small, large]) {
      for (let i = 0; i < PER_ROUND; i++) {
        const started = performance.now();
        await signIn(deployment, `person${1 + Math.floor(Math.random() * deployment.accounts)}@scale.example`);
        times.get(deployment)!.push(performance.now() - started);
      }
    }
  }
  console.log(`\nWhole password sign-ins over HTTP, one at a time, ${ROUNDS * PER_ROUND} each, A B A B:`);
  for (const [deployment, values] of times) {
    console.log(`  ${deployment.name.padEnd(20)} p50 ${percentile(values, 0.5).toFixed(1)} ms, p99 ${percentile(values, 0.99).toFixed(1)} ms`);
  }
  const ratio = percentile(times.get(large)!, 0.5) / percentile(times.get(small)!, 0.5);
  console.log(`  median at ${LARGE.toLocaleString('en')} / at ${SMALL.toLocaleString('en')}: ${ratio.toFixed(2)} (target ≤ 1.10)`);
  console.log(`\nPlans of the hot lookups with ${LARGE.toLocaleString('en')} accounts:`);
  await plans(large.database);
} finally {
  for (const deployment of [small, large]) {
    deployment.child.kill('SIGTERM');
    await new Promise((resolve) => deployment.child.once('exit', resolve));
    await admin(`drop database if exists ${deployment.database} with (force)`);
  }
}
