// Answers that must not reveal whether an address has an account (registration, password
// reset, email codes) do different database work in each case; holding every answer to the
// same minimum time hides the difference from anyone timing them.
import { setTimeout as sleep } from 'node:timers/promises';

/** Comfortably above what these answers take on a 2-core machine (npm run bench:registration). */
export const STEADY_ANSWER_MS = 200;

export async function answerNoSoonerThan<T>(milliseconds: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const left = milliseconds - (performance.now() - started);
    if (left > 0) await sleep(left);
  }
}
