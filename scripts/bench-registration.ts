// Benchmark: how long registration takes to answer for a new address and for one that already
// has an account. Equal timing keeps the answer from telling which addresses are registered.
//   npm run bench:registration
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { loadConfig } from '../src/config/env.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { createServices } from '../src/services.ts';

const ROUNDS = 40;
const PASSWORD = 'tangerine wolf quietly paints';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const config = loadConfig({ ...process.env, LATCHKEY_SECRET: 'benchmark-secret-that-is-long-enough', DATA_DIR: '/nonexistent', LOG_LEVEL: 'silent' });
const db = await openDatabase({ inMemory: true });
await migrateToLatest(db.knex);
const services = await createServices({ config, secret: config.secret!, db, log: pino({ level: 'silent' }) });
const source = { clientId: null, referrer: null, utm: null };

// Every registration comes from its own address (as from many people), past the per-IP limit.
let ip = 0;
const register = (email: string) => services.registration.register({ email, password: PASSWORD, name: 'Bench Person', ip: `10.0.${Math.floor(++ip / 250)}.${ip % 250}`, source });
for (let i = 0; i < ROUNDS; i++) await register(`taken${i}@example.test`);
await register('warm-up@example.test');

const fresh: number[] = [];
const taken: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  for (const [email, times] of [[`new${i}@example.test`, fresh], [`taken${i}@example.test`, taken]] as const) {
    const t0 = performance.now();
    await register(email);
    times.push(performance.now() - t0);
  }
}
const [f, t] = [median(fresh), median(taken)];
console.log(`registration answer, median of ${ROUNDS} on ${db.engine}: new address ${f.toFixed(1)} ms, address with an account ${t.toFixed(1)} ms (difference ${(Math.abs(f - t) / f * 100).toFixed(1)} %)`);
services.provider.stop();
await db.close();
