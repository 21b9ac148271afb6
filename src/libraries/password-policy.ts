// What a new password must be (NIST SP 800-63B, OWASP ASVS 5): long enough, not absurdly long,
// not one of the most common passwords, not made of the person's own name or address. Nothing else.
import { createRequire } from 'node:module';
import { assertThat, RequestError } from './errors.ts';

export const PASSWORD_MIN_LENGTH = 8;
/** Long enough for any passphrase; bounds hashing work per request. */
export const PASSWORD_MAX_LENGTH = 1024;
/** The head of zxcvbn-ts's frequency-ranked list: what attackers try first, short enough to load at once. */
const COMMON_PASSWORD_COUNT = 10_000;
/** A password made of the person's own data must add at least this many letters of its own. */
const PERSONAL_REMAINDER = 4;

/** What is known about the person choosing the password, to refuse passwords made of it. */
export interface PasswordContext {
  email?: string | null;
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
}

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  /** The password exactly as given (never trimmed or cut), or a RequestError saying what to change. */
  check(password: unknown, context?: PasswordContext): string;
}

let commonPasswords: Set<string> | undefined;

/** Loaded on first use: decompressing the 49 000-entry list costs time that start-up need not pay. */
function isCommon(candidate: string): boolean {
  if (!commonPasswords) {
    // require, not import(): loads on demand yet keeps check() synchronous
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    commonPasswords = new Set(dictionary['passwords-common'].slice(0, COMMON_PASSWORD_COUNT));
  }
  return commonPasswords.has(candidate);
}

/** The list is lowercase; "Password123!" and "pass word" are the same guess as "password". */
function isCommonOrVariant(password: string): boolean {
  const lower = password.toLowerCase();
  const joined = lower.replace(/\s+/gu, '');
  const core = joined.replace(/^[\p{N}\p{P}\p{S}]+|[\p{N}\p{P}\p{S}]+$/gu, '');
  return [lower, joined, core].some((candidate) => candidate.length > 0 && isCommon(candidate));
}

/** Lowercased pieces of the person's data worth guessing: whole values and their parts, 3+ characters. */
function personalTokens(context: PasswordContext): string[] {
  const values: string[] = [];
  const email = context.email?.toLowerCase();
  if (email?.includes('@')) {
    const at = email.lastIndexOf('@');
    values.push(email.slice(0, at));
    // the domain's labels but its top level: "example" from example.test, not "test" or "com"
    values.push(...email.slice(at + 1).split('.').slice(0, -1));
  }
  for (const name of [context.name, context.givenName, context.familyName]) {
    if (name) values.push(name.toLowerCase());
  }
  const tokens = new Set<string>();
  for (const value of values) {
    tokens.add(value);
    tokens.add(value.replace(/[^\p{L}\p{N}]+/gu, ''));
    for (const part of value.split(/[^\p{L}\p{N}]+/u)) tokens.add(part);
  }
  // longest first, so "lovelace" goes before a shorter token that is part of it
  return [...tokens].filter((token) => [...token].length >= 3).sort((a, b) => b.length - a.length);
}

/** True when removing the person's data leaves fewer than a few letters: digits and symbols add little. */
function isBuiltFromPersonalData(password: string, context: PasswordContext): boolean {
  let rest = password.toLowerCase();
  let found = false;
  for (const token of personalTokens(context)) {
    if (rest.includes(token)) {
      found = true;
      rest = rest.replaceAll(token, ' ');
    }
  }
  return found && [...rest.replace(/[\p{N}\p{P}\p{S}\s]+/gu, '')].length < PERSONAL_REMAINDER;
}

export function createPasswordPolicy({ minLength = PASSWORD_MIN_LENGTH }: { minLength?: number } = {}): PasswordPolicy {
  return {
    minLength,
    maxLength: PASSWORD_MAX_LENGTH,
    check(password, context = {}) {
      assertThat(typeof password === 'string' && password.length > 0, 'password_required', 'Enter your password.');
      const length = [...password].length; // code points: an emoji or an accented letter is one character
      if (length < minLength) throw new RequestError('password_too_short', 400, `Use at least ${minLength} characters.`, { min: minLength });
      if (length > PASSWORD_MAX_LENGTH) throw new RequestError('password_too_long', 400, `Use at most ${PASSWORD_MAX_LENGTH} characters.`, { max: PASSWORD_MAX_LENGTH });
      assertThat(!isCommonOrVariant(password), 'password_common',
        'This is one of the most common passwords, so it is among the first ones attackers try. Choose another.');
      assertThat(!isBuiltFromPersonalData(password, context), 'password_personal',
        "Don't build your password from your name or email address: they are the first things someone who knows you would try.");
      return password;
    },
  };
}

const defaultPolicy = createPasswordPolicy();

/** The default policy, for callers not yet given the configured one (accounts, the users CLI). */
export function checkNewPassword(password: unknown, context?: PasswordContext): string {
  return defaultPolicy.check(password, context);
}
