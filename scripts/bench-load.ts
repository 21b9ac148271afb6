// Benchmark: Latchkey under load against bare oidc-provider (in-memory adapter, the same argon2id
// parameters), both started here, on this machine, each workload run A B A B so that the figures
// hold on a noisy machine. Prints requests (or sign-ins) per second with p50/p99 latency for
// each, the ratio Latchkey/reference against its target, the CPU time one answer costs each
// provider (and Postgres), and Latchkey's largest RSS under the sign-in load.
//   npm run bench                  Latchkey on Postgres (DATABASE_URL, or the local server)
//   npm run bench -- --embedded    Latchkey on its embedded database
//   npm run bench -- --seconds 10  longer runs (default 5 s per run)
//   npm run bench -- --only sign   the workloads whose name has this word
//   npm run bench -- --profile DIR Latchkey writes a CPU profile (node --cpu-prof) into DIR
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { BENCH_CLIENT, BENCH_PASSWORD, BENCH_REDIRECT_URI } from './bench/fixtures.ts';
import { signIn } from './bench/sign-in-agent.ts';

const { values: options } = parseArgs({ options: { embedded: { type: 'boolean' }, seconds: { type: 'string' }, only: { type: 'string' }, profile: { type: 'string' } } });
const SECONDS = Number(options.seconds ?? 5);
const CONNECTIONS = 20;
const SIGN_IN_USERS = 8;
const root = path.resolve(import.meta.dirname, '..');
const node = process.execPath;

interface Provider {
  name: string;
  url: string;
  child: ChildProcess;
  client: { id: string; secret: string };
}

// ---------------------------------------------------------------- starting both

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 600; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start`);
}

const freePort = async () => {
  const net = await import('node:net');
  return new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
};

async function startReference(): Promise<Provider> {
  const port = await freePort();
  const child = spawn(node, ['scripts/bench/reference-provider.ts'], { cwd: root, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://localhost:${port}`;
  await until(async () => (await fetch(`${url}/.well-known/openid-configuration`)).ok, 'the reference provider');
  return { name: 'oidc-provider', url, child, client: BENCH_CLIENT };
}

async function startLatchkey(): Promise<Provider & { cleanUp(): Promise<void> }> {
  const port = await freePort();
  // As in production: a log line per request (to /dev/null here) and the metrics listener on.
  // Only the per-IP limit on /auth is off: every sign-in here comes from one address.
  const env: Record<string, string> = {
    ...process.env as Record<string, string>, PORT: String(port), LATCHKEY_SECRET: 'benchmark-secret-that-is-long-enough-for-latchkey',
    LOG_LEVEL: 'info', METRICS_ADDRESS: `127.0.0.1:${await freePort()}`, AUTHORIZATION_RATE_LIMIT: '0',
  };
  let cleanUp = async () => {};
  if (options.embedded) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
    env.DATA_DIR = dataDir;
    delete env.DATABASE_URL;
    cleanUp = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  } else {
    const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `latchkey_bench_${crypto.randomBytes(4).toString('hex')}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try { await client.query(sql); } finally { await client.end(); }
    };
    await admin(`create database ${name}`);
    env.DATABASE_URL = `${server.replace(/\/[^/]*$/, '')}/${name}`;
    cleanUp = () => admin(`drop database if exists ${name} with (force)`);
  }
  // As it is run in production (bin/latchkey serve sets the process up), profiled on request.
  const serveEnv = options.profile ? { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${options.profile}` } : env;
  const child = spawn(path.join(root, 'bin/latchkey'), ['serve'], { cwd: root, env: serveEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://localhost:${port}`;
  await until(async () => (await fetch(`${url}/healthz`)).ok, 'Latchkey');
  const cli = (args: string[], input?: string) => {
    const run = spawnSync(path.join(root, 'bin/latchkey'), args, { cwd: root, env, input, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`latchkey ${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  };
  const created = JSON.parse(cli(['clients', 'create', '--name', 'Benchmark', '--redirect-uri', BENCH_REDIRECT_URI,
    '--grant-type', 'authorization_code', '--grant-type', 'client_credentials', '--skip-consent', '--json']));
  for (let user = 0; user < SIGN_IN_USERS; user++) {
    cli(['users', 'create', '--email', `person${user}@bench.example`, '--verified', '--password-stdin'], BENCH_PASSWORD);
  }
  return { name: 'Latchkey', url, child, client: { id: created.client_id, secret: created.client_secret }, cleanUp };
}

// ---------------------------------------------------------------- workloads

interface Figure { perSecond: number; p50: number; p99: number; errors: number; done: number }

const basic = (client: Provider['client']) => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;

async function clientCredentialsToken(provider: Provider): Promise<string> {
  const response = await fetch(`${provider.url}/token`, {
    method: 'POST', headers: { authorization: basic(provider.client), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
  });
  return (await response.json() as { access_token: string }).access_token;
}

async function hammer(provider: Provider, request: { path: string; method?: 'GET' | 'POST'; body?: string; authenticated?: boolean }): Promise<Figure> {
  const result = await autocannon({
    url: `${provider.url}${request.path}`, connections: CONNECTIONS, duration: SECONDS, method: request.method ?? 'GET', body: request.body,
    headers: {
      ...(request.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...(request.authenticated ? { authorization: basic(provider.client) } : {}),
    },
  });
  return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, done: result.requests.total };
}

/** CPU seconds used so far by each of the processes given, or by each Postgres process (Linux /proc). */
function cpuSeconds(pids: number[] | 'postgres'): Map<number, number> {
  const all = pids === 'postgres' ? fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number) : pids;
  const seconds = new Map<number, number>();
  for (const pid of all) {
    let stat: string;
    try { stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const close = stat.lastIndexOf(')');
    if (pids === 'postgres' && stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100); // utime and stime, fields 14 and 15 of stat
  }
  return seconds;
}

/** CPU seconds spent between two readings by the processes still there (one that exited took its time with it). */
function spent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** SIGN_IN_USERS people signing in one after another for SECONDS; Latchkey's RSS sampled meanwhile. */
async function signIns(provider: Provider, rss?: { pid: number; max: number }): Promise<Figure> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const sampler = rss && setInterval(() => {
    const status = fs.readFileSync(`/proc/${rss.pid}/status`, 'utf8');
    rss.max = Math.max(rss.max, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
  }, 200);
  await Promise.all(Array.from({ length: SIGN_IN_USERS }, async (_, user) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await signIn(provider, `person${user}@bench.example`);
        latencies.push(performance.now() - started);
      } catch {
        errors++;
      }
    }
  }));
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? NaN;
  return { perSecond: latencies.length / SECONDS, p50: at(0.5), p99: at(0.99), errors, done: latencies.length };
}

// ---------------------------------------------------------------- the run

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const reference = await startReference();
const latchkey = await startLatchkey();
try {
  const tokens = { [reference.url]: await clientCredentialsToken(reference), [latchkey.url]: await clientCredentialsToken(latchkey) };
  const rss = { pid: latchkey.child.pid!, max: 0 };
  const referenceRss = { pid: reference.child.pid!, max: 0 };
  const workloads: Array<{ name: string; target: number; run: (provider: Provider) => Promise<Figure> }> = [
    { name: 'discovery', target: 0.85, run: (p) => hammer(p, { path: '/.well-known/openid-configuration' }) },
    { name: 'JWKS', target: 0.85, run: (p) => hammer(p, { path: '/jwks' }) },
    { name: 'client_credentials token', target: 0.6, run: (p) => hammer(p, { path: '/token', method: 'POST', body: 'grant_type=client_credentials', authenticated: true }) },
    { name: 'introspection', target: 0.6, run: (p) => hammer(p, { path: '/token/introspection', method: 'POST', body: `token=${tokens[p.url]}`, authenticated: true }) },
    { name: `password sign-in, ${SIGN_IN_USERS} people`, target: options.embedded ? 0.7 : 0.85, run: (p) => signIns(p, p === latchkey ? rss : referenceRss) },
  ];
  const engine = options.embedded ? 'embedded (PGlite)' : 'Postgres';
  console.log(`Latchkey on ${engine} against oidc-provider in memory; ${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim()}), Node.js ${process.version}`);
  console.log(`each figure: the median of 2 runs of ${SECONDS} s, run A B A B; HTTP workloads at ${CONNECTIONS} connections\n`);
  console.log('work'.padEnd(34), 'Latchkey /s (p50/p99 ms)'.padEnd(28), 'oidc-provider /s (p50/p99 ms)'.padEnd(32), 'ratio  target');
  const cpuLines: string[] = [];
  for (const workload of workloads.filter((w) => !options.only || w.name.includes(options.only))) {
    const runs: Record<string, Figure[]> = { [latchkey.url]: [], [reference.url]: [] };
    const cpu: Record<string, { provider: number; postgres: number; done: number }> = {};
    for (let round = 0; round < 2; round++) {
      for (const provider of [reference, latchkey]) {
        const before = { provider: cpuSeconds([provider.child.pid!]), postgres: cpuSeconds('postgres') };
        const figure = await workload.run(provider);
        const spentHere = cpu[provider.url] ??= { provider: 0, postgres: 0, done: 0 };
        spentHere.provider += spent(before.provider, cpuSeconds([provider.child.pid!]));
        spentHere.postgres += spent(before.postgres, cpuSeconds('postgres'));
        spentHere.done += figure.done;
        runs[provider.url]!.push(figure);
      }
    }
    const perAnswer = (url: string, part: 'provider' | 'postgres') => {
      const ms = 1000 * cpu[url]![part] / Math.max(1, cpu[url]!.done);
      return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(1)} ms`;
    };
    cpuLines.push(`${workload.name.padEnd(34)} ${perAnswer(latchkey.url, 'provider').padEnd(12)} ${perAnswer(latchkey.url, 'postgres').padEnd(12)} ${perAnswer(reference.url, 'provider')}`);
    const summary = (figures: Figure[]) => ({
      perSecond: median(figures.map((f) => f.perSecond)), p50: median(figures.map((f) => f.p50)), p99: median(figures.map((f) => f.p99)),
      errors: figures.reduce((sum, f) => sum + f.errors, 0),
    });
    const [ours, theirs] = [summary(runs[latchkey.url]!), summary(runs[reference.url]!)];
    const ratio = ours.perSecond / theirs.perSecond;
    const cell = (f: ReturnType<typeof summary>) => `${f.perSecond.toFixed(f.perSecond < 100 ? 1 : 0)} (${f.p50.toFixed(0)}/${f.p99.toFixed(0)})${f.errors ? ` ${f.errors} errors` : ''}`;
    console.log(workload.name.padEnd(34), cell(ours).padEnd(28), cell(theirs).padEnd(32), `${ratio.toFixed(2)}   ≥ ${workload.target}${ratio >= workload.target ? '' : '  (below)'}`);
  }
  console.log('\nCPU time per answer (all threads of the process; Postgres: all its processes)');
  console.log('work'.padEnd(34), 'Latchkey'.padEnd(12), 'its Postgres'.padEnd(12), 'oidc-provider');
  for (const line of cpuLines) console.log(line);
  if (rss.max) {
    console.log(`\nLargest RSS under the sign-in load: Latchkey ${(rss.max / 1024 / 1024).toFixed(0)} MB (target ≤ 200 MB), oidc-provider ${(referenceRss.max / 1024 / 1024).toFixed(0)} MB`);
  }
} finally {
  reference.child.kill('SIGTERM');
  latchkey.child.kill('SIGTERM');
  await new Promise((resolve) => latchkey.child.once('exit', resolve));
  await latchkey.cleanUp();
}
