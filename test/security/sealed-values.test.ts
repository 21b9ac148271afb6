// Sealed values (AES-256-GCM) and signed cookies, from the attacker's side: a cut tag, a
// tampered signature, a cookie that claims to be signed but is not checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { createSecretBox } from '../../src/libraries/secret-box.ts';
import { openSignIn, startAppWithMail, submitForm } from '../helpers/hosted-pages.ts';
import { HttpSession, formAction } from '../helpers/http-session.ts';
import { createUser, submitLogin, type TestClient } from '../helpers/oidc-flow.ts';
import { TEST_SECRET, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let close: () => Promise<void>;

beforeAll(async () => ({ app, client, close } = await startAppWithMail()));
afterAll(() => close?.());

/** The sealed value with its 16-byte tag cut to `bytes`. */
const cutTag = (sealed: string, bytes: number) => {
  const parts = sealed.split('.');
  parts[3] = Buffer.from(parts[3]!, 'base64url').subarray(0, bytes).toString('base64url');
  return parts.join('.');
};

async function userWithTotp() {
  const user = await createUser(app);
  const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
  const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
  await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
  return { ...user, secret: enrolment.secret };
}

describe('sealed values', () => {
  it('open only with the full 16-byte tag', () => {
    const box = createSecretBox(TEST_SECRET);
    const sealed = box.seal('totp-secret', 'JBSWY3DPEHPK3PXP');
    expect(box.open('totp-secret', sealed)).toBe('JBSWY3DPEHPK3PXP');
    for (const bytes of [4, 8, 12, 15]) expect(() => box.open('totp-secret', cutTag(sealed, bytes))).toThrow('not a sealed value');
    expect(() => box.open('mail', sealed)).toThrow(); // bound to its purpose
  });

  it('refuses a pending sign-in cookie whose tag was cut to 4 bytes', async () => {
    const user = await userWithTotp();
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const challenge = await submitLogin(session, app, page, user.email, user.password);
    expect(challenge.body).toContain('Two-step verification');
    const pending = [...session.cookies.values()].find((cookie) => cookie.name.startsWith('lk_pending_'))!;
    expect(pending).toBeDefined();

    pending.value = cutTag(pending.value, 4);
    const uid = pending.name.slice('lk_pending_'.length);
    const shown = await session.request(`${app.url}/interaction/${uid}`);
    expect(shown.body).not.toContain('Two-step verification');
    expect(formAction(shown.body, '/login')).toBeTruthy(); // back to the start: the cookie counts for nothing
    const forged = await submitForm(session, app, challenge, '/mfa/totp', { code: await generate({ secret: user.secret }) });
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('expired');
  });
});

describe('signed cookies', () => {
  it('sets no signature beside a sealed cookie (GCM authenticates it), and one beside every signed cookie', async () => {
    const user = await userWithTotp();
    const response = await (async () => {
      const session = new HttpSession();
      const { page } = await openSignIn(app, client, session);
      const action = formAction(page.body, '/login')!;
      const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
      return session.request(new URL(action, app.url).href, { form: { _csrf: csrf, email: user.email, password: user.password } });
    })();
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]!);
    expect(names.some((name) => name.startsWith('lk_pending_') && !name.endsWith('.sig'))).toBe(true);
    expect(names.filter((name) => name.startsWith('lk_pending_') && name.endsWith('.sig'))).toEqual([]);
  });

  it('ignores a known-device cookie whose signature does not match: the browser gets no allowance of its own', async () => {
    const user = await createUser(app);
    const owner = new HttpSession();
    const { page } = await openSignIn(app, client, owner);
    await submitLogin(owner, app, page, user.email, user.password);
    const known = owner.cookie('lk_known')!;
    const signature = owner.cookie('lk_known.sig')!;
    expect(known && signature).toBeTruthy();

    const keysOf = async () => (await app.services.db.knex('throttles').select('key')).map((row: { key: string }) => row.key);
    // A stranger copies the value but not the signature (it cannot make one for another value).
    const stranger = new HttpSession();
    stranger.cookies.set('lk_known;/', { ...known });
    stranger.cookies.set('lk_known.sig;/', { ...signature, value: `${signature.value.slice(0, -2)}AA` });
    const { page: strangerPage } = await openSignIn(app, client, stranger);
    const before = new Set(await keysOf());
    await submitLogin(stranger, app, strangerPage, user.email, 'not the password at all');
    const added = (await keysOf()).filter((key) => !before.has(key));
    expect(added.some((key) => key.startsWith('signin:account-ip:'))).toBe(true);
    expect(added.some((key) => key.startsWith('signin:account-known:'))).toBe(false);
  });

  it('refuses a form whose CSRF cookie carries a tampered signature', async () => {
    const session = new HttpSession();
    const { page } = await openSignIn(app, client, session);
    const signature = session.cookie('lk_csrf.sig')!;
    signature.value = `${signature.value.slice(0, -2)}AA`;
    const refused = await submitLogin(session, app, page, 'someone@example.test', 'whatever it is');
    expect(refused.status).toBe(403);
  });
});
