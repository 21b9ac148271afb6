// Comparing secrets without telling an attacker, through timing, how much of a guess was right.
import crypto from 'node:crypto';

/** Constant-time for equal lengths; a length mismatch answers at once (lengths are not secret here). */
export function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
