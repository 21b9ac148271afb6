import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

// TOTP through the second-factor library on a real database: the ±1 step window, no replay of
// a time step, confirmation by a current code, and how the secret is kept.
let app: TestApp;
beforeAll(async () => { app = await startApp(); });
afterAll(() => app?.close());

const STEP = 30;
const IP = '192.0.2.10';

/** Now, but not in the last seconds of a time step, so that test and server agree on the step. */
async function steadyNow(): Promise<number> {
  const now = Date.now() / 1000;
  if (STEP - (now % STEP) < 3) await new Promise((resolve) => setTimeout(resolve, 3500));
  return Math.floor(Date.now() / 1000);
}

/**
 * An account with a confirmed authenticator app. With `lastUsedStepsAgo`, as if it was last
 * used that many steps ago (its confirming code used up the current step).
 */
async function enrolled({ lastUsedStepsAgo }: { lastUsedStepsAgo?: number } = {}) {
  const user = await createUser(app);
  const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
  const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
  const now = await steadyNow();
  await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret, epoch: now }));
  if (lastUsedStepsAgo !== undefined) {
    await app.services.db.knex('totp_factors').where({ account_id: account.id }).update({ last_used_step: Math.floor(now / STEP) - lastUsedStepsAgo });
  }
  return { account, secret: enrolment.secret, now };
}

const verify = (accountId: string, code: string) => app.services.secondFactors.verifyTotp({ accountId, code, ip: IP });

describe('TOTP second factor', () => {
  it('makes a 20-byte secret and stores it sealed, never as its base32 text', async () => {
    const user = await createUser(app);
    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    const { secret, factorId, uri, qrSvg } = await app.services.secondFactors.beginTotpEnrolment(account);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes in base32
    expect(uri).toContain(`secret=${secret}`);
    expect(qrSvg).toMatch(/^<svg/);
    const row = await app.services.db.knex('totp_factors').where({ id: factorId }).first();
    expect(row.secret_sealed).not.toContain(secret);
    expect(row.secret_sealed).not.toContain(secret.toLowerCase());
    expect(row.confirmed_at).toBeNull();
  });

  it('needs a current code to confirm the enrolment', async () => {
    const user = await createUser(app);
    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    const { secret, factorId } = await app.services.secondFactors.beginTotpEnrolment(account);
    const now = await steadyNow();
    await expect(app.services.secondFactors.confirmTotp(account, factorId, await generate({ secret, epoch: now - 2 * STEP }))).rejects.toThrow(/not right/);
    await expect(app.services.secondFactors.confirmTotp(account, factorId, 'abcdef')).rejects.toThrow(/not right/);
    expect((await app.services.secondFactors.overview(account.id)).totp).toBe(false);
    const codes = await app.services.secondFactors.confirmTotp(account, factorId, await generate({ secret, epoch: now }));
    expect(codes).toHaveLength(10); // the first factor comes with recovery codes
    expect((await app.services.secondFactors.overview(account.id)).totp).toBe(true);
  });

  it('accepts the current step and one step either side, and refuses two steps away', async () => {
    for (const offset of [-1, 0, 1]) {
      const { account, secret, now } = await enrolled({ lastUsedStepsAgo: 3 });
      await expect(verify(account.id, await generate({ secret, epoch: now + offset * STEP }))).resolves.toBe('otp');
    }
    for (const offset of [-2, 2]) {
      const { account, secret, now } = await enrolled({ lastUsedStepsAgo: 3 });
      await expect(verify(account.id, await generate({ secret, epoch: now + offset * STEP }))).rejects.toThrow(/not right/);
    }
  });

  it('rejects a reused TOTP time step, saying it was used and to wait for the next', async () => {
    const { account, secret, now } = await enrolled();
    // The confirming code used the current step already.
    await expect(verify(account.id, await generate({ secret, epoch: now }))).rejects.toThrow(/already used\. Wait for your app to show the next one/);
    const next = await generate({ secret, epoch: now + STEP });
    await expect(verify(account.id, next)).resolves.toBe('otp');
    await expect(verify(account.id, next)).rejects.toThrow(/already used/);
  });

  it('rejects an older step once a newer one was used', async () => {
    const { account, secret, now } = await enrolled({ lastUsedStepsAgo: 3 });
    await expect(verify(account.id, await generate({ secret, epoch: now + STEP }))).resolves.toBe('otp');
    await expect(verify(account.id, await generate({ secret, epoch: now }))).rejects.toThrow(/already used/);
    await expect(verify(account.id, await generate({ secret, epoch: now - STEP }))).rejects.toThrow(/already used/);
  });
});
