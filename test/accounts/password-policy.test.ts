import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/libraries/errors.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, createPasswordPolicy } from '../../src/libraries/password-policy.ts';

const ada = { email: 'ada.lovelace@example.test', name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' };

/** The RequestError a refused password raises, so tests can state its code and message. */
function refusal(run: () => unknown): RequestError {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error('the password was accepted');
}

describe('password policy for new passwords', () => {
  const policy = createPasswordPolicy({ minLength: PASSWORD_MIN_LENGTH });

  it('returns the password exactly as given, spaces included', () => {
    expect(policy.check('  tangerine lighthouse  ')).toBe('  tangerine lighthouse  ');
    expect(policy).toMatchObject({ minLength: 8, maxLength: 1024 });
  });

  it('asks for a password when there is none', () => {
    for (const missing of [undefined, '', 42]) {
      expect(refusal(() => policy.check(missing))).toMatchObject({ code: 'password_required', status: 400 });
    }
  });

  it('rejects a short password, saying how long it must be, with the minimum configurable', () => {
    expect(refusal(() => policy.check('kq7#vz2'))).toMatchObject({ code: 'password_too_short', message: 'Use at least 8 characters.' });
    expect(policy.check('kq7#vz2m')).toBe('kq7#vz2m');
    const stricter = createPasswordPolicy({ minLength: 15 });
    expect(stricter.minLength).toBe(15);
    expect(refusal(() => stricter.check('tangerine lamp'))).toMatchObject({ message: 'Use at least 15 characters.' });
    expect(stricter.check('tangerine lamps')).toBe('tangerine lamps');
  });

  it('accepts 64 characters and more, up to 1024, and refuses longer', () => {
    expect(policy.check('k'.repeat(30) + 'q'.repeat(34))).toHaveLength(64);
    expect(policy.check('zq'.repeat(512))).toHaveLength(PASSWORD_MAX_LENGTH);
    expect(refusal(() => policy.check('zq'.repeat(512) + 'z'))).toMatchObject({ code: 'password_too_long', message: 'Use at most 1024 characters.' });
  });

  it('never truncates: passwords that differ only at character 100 stay different', () => {
    const stem = 'paper lantern over the quiet harbour '.repeat(3).slice(0, 99);
    const first = policy.check(`${stem}A tail`);
    const second = policy.check(`${stem}B tail`);
    expect(first).not.toBe(second);
    expect([...first]).toHaveLength(105);
  });

  it('counts Unicode code points, not UTF-16 units', () => {
    const sevenEmoji = '🦊🐢🦉🐙🦀🐝🦋'; // 14 UTF-16 units
    expect(refusal(() => policy.check(sevenEmoji))).toMatchObject({ code: 'password_too_short' });
    expect(policy.check(`${sevenEmoji}🐳`)).toBe(`${sevenEmoji}🐳`);
    expect(policy.check('ÿøüñéçàß')).toBe('ÿøüñéçàß');
  });

  it('rejects one of the most common passwords, saying why', () => {
    const error = refusal(() => policy.check('password'));
    expect(error).toMatchObject({ code: 'password_common', status: 400 });
    expect(error.message).toMatch(/most common passwords.*attackers try.*Choose another/);
    for (const common of ['12345678', 'qwertyuiop', 'iloveyou', 'trustno1', 'baseball']) {
      expect(refusal(() => policy.check(common)).code).toBe('password_common');
    }
  });

  it('rejects trivial variants of a common password: case, digits and symbols around it, spaces inside', () => {
    for (const variant of ['Password123!', 'PASSWORD', '2024football!', 'i love you', 'Dragon!!!!']) {
      expect(refusal(() => policy.check(variant)).code).toBe('password_common');
    }
  });

  it('accepts passphrases that merely contain common words', () => {
    expect(policy.check('correct horse battery staple')).toBe('correct horse battery staple');
    expect(policy.check('my dragon eats baseball bats')).toBe('my dragon eats baseball bats');
  });

  it("rejects a password built from the person's own email address or name, saying why", () => {
    for (const personal of ['adalovelace', 'Ada.Lovelace1990!', 'lovelace2024', 'ADA LOVELACE', 'example2024!', 'lovelace-ada-01']) {
      const error = refusal(() => policy.check(personal, ada));
      expect(error).toMatchObject({ code: 'password_personal', status: 400 });
      expect(error.message).toMatch(/^Don't build your password from your name or email address/);
    }
    expect(refusal(() => policy.check('grace.hopper77', { email: 'grace.hopper@navy.test' })).code).toBe('password_personal');
    expect(refusal(() => policy.check('hopper!hopper', { name: 'Grace Hopper' })).code).toBe('password_personal');
  });

  it('accepts a password that adds enough of its own to the person\'s name, and any password without context', () => {
    expect(policy.check('correct horse battery staple', ada)).toBe('correct horse battery staple');
    expect(policy.check('ada paints quiet harbours', ada)).toBe('ada paints quiet harbours');
    expect(policy.check('lovelace2024')).toBe('lovelace2024');
    expect(policy.check('adalovelace', { email: null, name: null })).toBe('adalovelace');
  });
});
