// What Latchkey accepts as an email address: one @, a dotted domain, no spaces, at most 254 characters.
import { assertThat } from './errors.ts';

// No white space or control characters anywhere (U+0000 included).
const SHAPE = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

export function normaliseEmail(input: unknown): string {
  const email = typeof input === 'string' ? input.trim() : '';
  assertThat(email.length > 0, 'email_required', 'Enter your email address.');
  assertThat(email.length <= 254 && SHAPE.test(email), 'email_invalid', 'Enter an email address like name@example.com.');
  return email;
}
