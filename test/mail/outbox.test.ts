import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryRules, retryDelaySeconds } from '../../src/mail/delivery.ts';
import { startMailSink, type MailSink } from '../helpers/mail-sink.ts';
import { freePort } from '../helpers/processes.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.ts';
import { LINK, findMailRow, fixtureMail, greeting, uniqueAddress, until } from './mail-test-kit.ts';

describe('mail delivery over SMTP', () => {
  let sink: MailSink;
  let app: TestApp;

  beforeAll(async () => {
    sink = await startMailSink();
    app = await startApp({ env: { SMTP_URL: sink.url, MAIL_FROM: 'Latchkey <no-reply@id.example.test>' } });
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  it('delivers a mail queued in a committed transaction within two seconds, as HTML and text naming the product', async () => {
    const to = uniqueAddress('committed');
    await app.services.queries.transaction(async (q) => { await fixtureMail(app).enqueue(q, greeting(to)); });

    const mail = await sink.next(to, 2000);
    expect(mail.subject).toBe('Continue signing in');
    expect(mail.from?.value).toEqual([{ name: 'Latchkey', address: 'no-reply@id.example.test' }]);
    expect(mail.text).toContain('Hello Ada');
    expect(mail.text).toContain(LINK); // not HTML-escaped in the text part
    expect(mail.text).toContain('within 15 minutes');
    expect(mail.text).toContain(`Sent by Latchkey at ${app.url}`);
    expect(mail.html).toContain(`<a href="${LINK.replace('&', '&amp;')}">`);
    expect(mail.html).toContain('Latchkey');
    expect(mail.html).not.toMatch(/<(link|script|img)\b/); // no external resources

    const row = await until(async () => { const found = await findMailRow(app, to); return found?.sent_at && found; });
    expect(row).toMatchObject({ attempts: 1, body_sealed: null, next_attempt_at: null, last_error: null });
    const logs = JSON.stringify(app.logs);
    expect(logs).toContain('mail delivered');
    for (const secret of [to, 'one-time-abc123']) expect(logs).not.toContain(secret);
  });

  it('sends nothing when the transaction that queued the mail rolls back', async () => {
    const to = uniqueAddress('rolled-back');
    await expect(app.services.queries.transaction(async (q) => {
      await fixtureMail(app).enqueue(q, greeting(to));
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    await app.services.mail.deliverDueMails();
    expect(await findMailRow(app, to)).toBeUndefined();
    await expect(sink.next(to, 1500)).rejects.toThrow(/no mail/);
  });

  it('refuses a template that fails to render, or a name that is not plain, before writing anything', async () => {
    const to = uniqueAddress('broken');
    await expect(fixtureMail(app).enqueue(app.services.queries, { ...greeting(to), template: 'broken' })).rejects.toThrow(/missing/);
    await expect(fixtureMail(app).enqueue(app.services.queries, { ...greeting(to), template: '../fixtures/emails/greeting' })).rejects.toThrow(/not a plain name/);
    expect(await findMailRow(app, to)).toBeUndefined();
  });

  it('sends each mail once when several delivery passes run at the same time', async () => {
    const addresses = Array.from({ length: 12 }, (_, i) => uniqueAddress(`concurrent-${i}`));
    await app.services.queries.transaction(async (q) => {
      for (const to of addresses) await fixtureMail(app).enqueue(q, greeting(to));
    });
    const passes = await Promise.all([1, 2, 3].map(() => app.services.mail.deliverDueMails()));
    for (const to of addresses) await sink.next(to, 3000);
    expect(passes.reduce((sum, pass) => sum + pass.sent, 0)).toBeLessThanOrEqual(addresses.length);
    await app.services.mail.deliverDueMails();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.mails).toEqual([]); // no second copy of any
  });

  it('does not offer the development outbox page', async () => {
    expect((await fetch(`${app.url}/dev/mail`)).status).toBe(404);
  });
});

describe('an SMTP outage', () => {
  let port: number;
  let app: TestApp;
  let sink: MailSink | undefined;
  const password = 'pa55word-not-for-logs';

  beforeAll(async () => {
    port = await freePort(); // nothing listens here until the test brings the server back
    app = await startApp({ env: { SMTP_URL: `smtp://latchkey:${password}@127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  const makeDue = (to: string) => app.services.db.knex('mail_outbox').where({ to_address: to }).update({ next_attempt_at: app.services.db.knex.fn.now() });
  const secondsUntilRetry = async (to: string) => {
    const { rows } = await app.services.db.knex.raw<{ rows: Array<{ wait: number }> }>(
      'select extract(epoch from next_attempt_at - now())::float8 as wait from mail_outbox where to_address = ?', [to]);
    return rows[0]!.wait;
  };

  it('backs off 30 s, doubling up to an hour', () => {
    expect([1, 2, 3, 4, 7, 8, 50].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 1920, 3600, 3600]);
    expect(deliveryRules.giveUpAfterSeconds).toBeGreaterThanOrEqual(2 * 24 * 60 * 60);
  });

  it('delays a mail without losing it, keeps it sealed, and delivers it once when the server is back', async () => {
    const to = uniqueAddress('outage');
    await app.services.queries.transaction(async (q) => { await fixtureMail(app).enqueue(q, greeting(to)); }); // the request's change succeeds

    const failed = await until(async () => { const row = await findMailRow(app, to); return row?.attempts === 1 && !row.locked_until && row; });
    expect(failed).toMatchObject({ sent_at: null, locked_until: null });
    expect(failed.last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
    expect(await secondsUntilRetry(to)).toBeGreaterThan(25);
    expect(await secondsUntilRetry(to)).toBeLessThanOrEqual(30);
    // stored sealed: nothing of the body is readable in the table
    expect(failed.body_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(failed)).not.toMatch(/one-time-abc123|Hello Ada|Latchkey/);

    await makeDue(to);
    await until(async () => { const row = await findMailRow(app, to); return row?.attempts === 2 && !row.locked_until; });
    expect(await secondsUntilRetry(to)).toBeGreaterThan(55); // doubled

    const logs = JSON.stringify(app.logs);
    expect(logs).toContain('mail delivery failed; will retry');
    for (const secret of [password, to, 'one-time-abc123']) expect(logs).not.toContain(secret);

    sink = await startMailSink({ port });
    await makeDue(to);
    const mail = await sink.next(to, 3000);
    expect(mail.text).toContain(LINK);
    const sent = await until(async () => { const row = await findMailRow(app, to); return row?.sent_at && row; });
    expect(sent).toMatchObject({ attempts: 3, body_sealed: null });
    await makeDue(to); // even if asked again, a sent mail is not sent twice
    await app.services.mail.deliverDueMails();
    await expect(sink.next(to, 1000)).rejects.toThrow(/no mail/);
  });

  it('gives up on a mail a few days old, drops its body and logs an error', async () => {
    await sink?.close();
    sink = undefined;
    const to = uniqueAddress('given-up');
    await fixtureMail(app).enqueue(app.services.queries, greeting(to));
    await app.services.db.knex('mail_outbox').where({ to_address: to })
      .update({ created_at: app.services.db.knex.raw(`now() - make_interval(secs => ?::int)`, [deliveryRules.giveUpAfterSeconds + 60]) });
    const row = await until(async () => { const found = await findMailRow(app, to); return found?.last_error ? found : undefined; });
    expect(row).toMatchObject({ sent_at: null, next_attempt_at: null, body_sealed: null });
    expect(app.logs.some((line) => line.msg === 'gave up delivering a mail' && line.level === 50 && line.mail_id === row.id)).toBe(true);
  });
});

describe.runIf(onPostgres)('several processes on one Postgres', () => {
  let database: TestDatabase;
  let sink: MailSink;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await startMailSink();
    a = await startApp({ location: database.location, env: { SMTP_URL: sink.url } });
    b = await startApp({ location: database.location, env: { SMTP_URL: sink.url, ISSUER: a.url } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await sink?.close();
    await database?.drop();
  });

  it('delivers every queued mail exactly once while both workers run', async () => {
    const addresses = Array.from({ length: 30 }, (_, i) => uniqueAddress(`shared-${i}`));
    await a.services.queries.transaction(async (q) => {
      for (const to of addresses) await fixtureMail(a).enqueue(q, greeting(to));
    });
    // both workers poll, and extra passes on both sides race them
    await Promise.all([a, b, a, b].map((app) => app.services.mail.deliverDueMails()));
    for (const to of addresses) await sink.next(to, 5000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for any duplicate to arrive
    expect(sink.mails).toEqual([]);
    const rows = await a.services.db.knex('mail_outbox').whereIn('to_address', addresses).select('attempts', 'sent_at');
    expect(rows).toHaveLength(addresses.length);
    expect(rows.every((row) => row.attempts === 1 && row.sent_at)).toBe(true);
  });
});
