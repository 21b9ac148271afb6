import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { LINK, findMailRow, fixtureMail, greeting, uniqueAddress, until } from './mail-test-kit.ts';

describe('the development outbox (SMTP_URL unset)', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startApp({ env: { TRUST_PROXY: 'true' } }); }); // X-Forwarded-For can then pose as another machine
  afterAll(() => app?.close());

  it('logs each mail and lists it at /dev/mail with its link clickable, everything escaped', async () => {
    const to = uniqueAddress('developer');
    await fixtureMail(app).enqueue(app.services.queries, greeting(to, '<script>alert(1)</script>'));
    await until(async () => (await findMailRow(app, to))?.sent_at);

    const logged = app.logs.find((line) => (line.mail as { to?: string } | undefined)?.to === to);
    expect(logged).toMatchObject({ level: 30, mail: { subject: 'Continue signing in' } });
    expect((logged!.mail as { text: string }).text).toContain(LINK);

    const response = await fetch(`${app.url}/dev/mail`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const page = await response.text();
    expect(page).toContain(`<a href="${LINK.replace('&', '&amp;')}">${LINK.replace('&', '&amp;')}</a>`);
    expect(page).toContain(to);
    expect(page).toContain('Continue signing in');
    expect(page).toMatch(/· sent</);
    expect(page).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert');
  });

  it('answers only to its own host names: a page on a rebinding domain reaching this machine is refused', async () => {
    const port = new URL(app.url).port;
    const withHost = (host: string) => new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/dev/mail', headers: { host } }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      }).on('error', reject);
    });
    expect(await withHost(`rebind.attacker.example:${port}`)).toBe(403);
    expect(await withHost('localhost')).toBe(403); // another port: another service
    expect(await withHost(`localhost:${port}`)).toBe(200);
    expect(await withHost(`127.0.0.1:${port}`)).toBe(200);
  });

  it('is refused to a browser on another machine', async () => {
    const response = await fetch(`${app.url}/dev/mail`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(response.status).toBe(403);
  });
});

describe('the development outbox elsewhere', () => {
  it('does not exist in production', async () => {
    const app = await startApp({ env: { NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1' } });
    try {
      expect((await fetch(`${app.url}/dev/mail`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
