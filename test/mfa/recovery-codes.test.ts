import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppWithMail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

// Recovery codes through the second-factor library on a real database and a real SMTP sink:
// ten single-use codes with the first factor, kept only as hashes, replaced on demand.
let app: TestApp;
let sink: MailSink;
let close: () => Promise<void>;
beforeAll(async () => ({ app, sink, close } = await startAppWithMail()));
afterAll(() => close?.());

const IP = '192.0.2.20';

/** An account whose first factor (an authenticator app) just came with its recovery codes. */
async function withRecoveryCodes() {
  const user = await createUser(app);
  const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
  const { factorId, secret } = await app.services.secondFactors.beginTotpEnrolment(account);
  const codes = await app.services.secondFactors.confirmTotp(account, factorId, await generate({ secret }));
  expect((await sink.next(account.email)).text).toContain('An authenticator app was added');
  return { account, codes: codes! };
}

const use = (account: Awaited<ReturnType<typeof withRecoveryCodes>>['account'], code: string) =>
  app.services.secondFactors.verifyRecoveryCode({ account, code, ip: IP });

describe('recovery codes', () => {
  it('gives 10 distinct codes with the first factor, stored only as hashes', async () => {
    const { account, codes } = await withRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const rows = await app.services.db.knex('recovery_codes').where({ account_id: account.id });
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace('-', ''));
    }
    expect((await app.services.secondFactors.overview(account.id)).recoveryCodesLeft).toBe(10);
  });

  it('lets each code sign in once, and mails the owner when one is used', async () => {
    const { account, codes } = await withRecoveryCodes();
    await expect(use(account, codes[0]!.toUpperCase())).resolves.toBe('otp');
    const mail = await sink.next(account.email);
    expect(mail.subject).toMatch(/Security change/);
    expect(mail.text).toContain('A recovery code was used to sign in. 9 unused recovery codes left.');
    await expect(use(account, codes[0]!)).rejects.toThrow(/not right/);
    expect((await app.services.secondFactors.overview(account.id)).recoveryCodesLeft).toBe(9);
  });

  it('makes a new set on demand, and the old codes stop working', async () => {
    const { account, codes: old } = await withRecoveryCodes();
    const fresh = await app.services.secondFactors.regenerateRecoveryCodes(account);
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((code) => old.includes(code))).toHaveLength(0);
    expect((await sink.next(account.email)).text).toContain('New recovery codes were made');
    await expect(use(account, old[1]!)).rejects.toThrow(/not right/);
    await expect(use(account, fresh[1]!)).resolves.toBe('otp');
  });

  it('refuses a code of another account', async () => {
    const first = await withRecoveryCodes();
    const second = await withRecoveryCodes();
    await expect(use(second.account, first.codes[2]!)).rejects.toThrow(/not right/);
  });
});
