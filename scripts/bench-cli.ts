// Benchmark: how long a `latchkey` command (bin/latchkey, as people run it) takes as a whole
// process on the embedded database, with the server stopped (the command opens the database
// itself) and running (the server runs it). Each command is timed in turn with a bare
// `node -e 0`, A B A B, so the figures hold on a noisy machine: the median time of each, and
// its median ratio to a bare Node start.
//   npm run bench:cli
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROUNDS = 7;
const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-cli-'));
const env = { ...process.env, DATA_DIR: dataDir, LATCHKEY_SECRET: 'benchmark-secret-that-is-long-enough', PORT: '3919', METRICS_ADDRESS: 'off', LOG_LEVEL: 'warn' };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs `command` (a program and its arguments) to its end; how long it took, in milliseconds. */
function timed([program, ...args]: string[]): number {
  const started = performance.now();
  const run = spawnSync(program!, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  return performance.now() - started;
}

function measure(command: string[]) {
  const times: number[] = [];
  const ratios: number[] = [];
  timed(['bin/latchkey', ...command]); // warm-up (and migrations on the first run)
  for (let i = 0; i < ROUNDS; i++) {
    const bare = timed([process.execPath, '-e', '0']);
    const time = timed(['bin/latchkey', ...command]);
    times.push(time);
    ratios.push(time / bare);
  }
  return { ms: median(times), ratio: median(ratios) };
}

const commands = [['users', 'list'], ['clients', 'list']];
const report = (state: string) => {
  for (const command of commands) {
    const { ms, ratio } = measure(command);
    console.log(`latchkey ${command.join(' ')}, server ${state}: median ${(ms / 1000).toFixed(2)} s over ${ROUNDS} runs (${ratio.toFixed(1)} × a bare node start)`);
  }
};

try {
  report('stopped');
  const server = spawn('bin/latchkey', ['serve'], { cwd: root, env, stdio: 'ignore' });
  for (let i = 0; !(await fetch('http://127.0.0.1:3919/healthz').then((r) => r.ok, () => false)); i++) {
    if (i > 300) throw new Error('the server did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    report('running');
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.on('exit', resolve));
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
