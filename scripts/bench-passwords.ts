// Benchmark: password verification throughput at the configured argon2id parameters, and
// the time a sign-in takes to answer for an unknown address and for a wrong password
// (equal timing is what keeps the answer from revealing which addresses have accounts).
//   npm run bench:passwords
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/env.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { createAccounts } from '../src/libraries/accounts.ts';
import { createPasswordPolicy } from '../src/libraries/password-policy.ts';
import { createPasswordHasher } from '../src/libraries/passwords.ts';
import { createQueries } from '../src/queries/index.ts';

const ROUNDS = 40;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const config = loadConfig();
const { memoryKiB, iterations } = config.passwordHash;
const hasher = createPasswordHasher(config.passwordHash);
const db = await openDatabase({ inMemory: true });
await migrateToLatest(db.knex);
const accounts = createAccounts({ queries: createQueries(db.knex), hasher, passwordPolicy: createPasswordPolicy({ minLength: config.passwordMinLength }) });
await accounts.createAccount({ email: 'bench@example.test', password: 'the right password' });
const hash = await hasher.hash('the right password');

await hasher.verify(hash, 'warm-up');
const started = performance.now();
for (let i = 0; i < ROUNDS; i++) await hasher.verify(hash, 'the right password');
const perVerification = (performance.now() - started) / ROUNDS;
console.log(`argon2id m=${memoryKiB} KiB t=${iterations} p=1: ${perVerification.toFixed(1)} ms per verification, ${(1000 / perVerification).toFixed(0)} verifications/s on one core`);

const cores = os.availableParallelism();
const parallelStart = performance.now();
await Promise.all(Array.from({ length: cores }, async () => {
  for (let i = 0; i < ROUNDS; i++) await hasher.verify(hash, 'the right password');
}));
const perSecond = (cores * ROUNDS) / ((performance.now() - parallelStart) / 1000);
console.log(`with ${cores} verifications at a time (libuv threads on ${cores} cores): ${perSecond.toFixed(0)} verifications/s, the ceiling on password sign-ins per process`);

const unknown: number[] = [];
const wrong: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  for (const [email, times] of [['nobody@example.test', unknown], ['bench@example.test', wrong]] as const) {
    const t0 = performance.now();
    await accounts.authenticateWithPassword(email, 'a wrong password');
    times.push(performance.now() - t0);
  }
}
const [u, w] = [median(unknown), median(wrong)];
console.log(`sign-in answer, median of ${ROUNDS}: unknown address ${u.toFixed(1)} ms, wrong password ${w.toFixed(1)} ms (difference ${(Math.abs(u - w) / w * 100).toFixed(1)} %)`);
await db.close();
