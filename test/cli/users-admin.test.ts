import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { startAppWithMail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let close: () => Promise<void>;

beforeAll(async () => ({ app, sink, close } = await startAppWithMail()));
afterAll(() => close?.());

describe('latchkey users for administrators', () => {
  it('removes the second factors of a person who lost them, mails them, and says so', async () => {
    const user = await createUser(app);
    const account = (await app.services.accounts.maybeFindActiveAccount(user.id))!;
    const enrolment = await app.services.secondFactors.beginTotpEnrolment(account);
    await app.services.secondFactors.confirmTotp(account, enrolment.factorId, await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
    await sink.next(user.email);
    const shown = await app.cli('users', 'show', user.email);
    expect(shown.stdout).toContain('second factors: authenticator app; 10 recovery codes left');
    const removed = await app.cli('users', 'remove-factors', user.email);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`Removed 1 second factor(s) of ${user.email}`);
    expect((await sink.next(user.email)).subject).toContain('Two-step verification was removed');
    expect(JSON.parse((await app.cli('users', 'show', user.id, '--json')).stdout).second_factors).toEqual({ totp: null, passkeys: [], recovery_codes_left: 0 });
    const [event] = (await app.services.audit.list({ subjectId: user.id, types: ['factor.removed'], limit: 1 })).events;
    expect(event!.actor.type).toBe('cli');
  });

  it('invites a person instead of setting their password', async () => {
    const email = `invited.cli.${Date.now()}@example.test`;
    const made = await app.cli('users', 'create', '--email', email, '--invite', '--json');
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ email, has_password: false });
    expect((await sink.next(email)).text).toMatch(/\/password\/reset\?token=/);
    expect((await app.cli('users', 'create', '--email', `x.${Date.now()}@example.test`, '--invite', '--password', 'whatever whatever')).code).toBe(2);
  });

  it('deletes an account only when --confirm repeats its address', async () => {
    const user = await createUser(app);
    const wrong = await app.cli('users', 'delete', user.email, '--confirm', 'someone.else@example.test');
    expect(wrong.code).toBe(2);
    expect(await app.services.queries.accounts.maybeFindAccountById(user.id)).toBeDefined();
    expect((await app.cli('users', 'delete', user.id, '--confirm', user.email.toUpperCase())).code).toBe(0);
    expect(await app.services.queries.accounts.maybeFindAccountById(user.id)).toBeUndefined();
    expect((await app.cli('users', 'show', user.email)).code).toBe(1);
  });
});
