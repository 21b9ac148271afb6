import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../helpers/hosted-pages.ts';
import { createUser, registerClient, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let shop: TestClient;
let blog: TestClient;

beforeAll(async () => {
  app = await startApp();
  shop = await registerClient(app, { name: 'Shop' });
  blog = await registerClient(app, { name: 'Blog' });
  const signUp = (clientId: string, referrer: string | null, utm: Record<string, string> | null, ip: string) =>
    app.services.registration.register({
      email: uniqueEmail('signup'), password: 'tangerine wolf quietly paints', name: 'Someone', ip, source: { clientId, referrer, utm },
    });
  await signUp(shop.clientId, 'https://news.example.com/story', { utm_source: 'newsletter' }, '192.0.2.1');
  await signUp(shop.clientId, 'https://news.example.com/other', null, '192.0.2.2');
  await signUp(blog.clientId, null, { utm_source: 'newsletter', utm_medium: 'email' }, '192.0.2.3');
  await signUp(blog.clientId, null, null, '192.0.2.4');
  await createUser(app); // made by an administrator: not a sign-up
});
afterAll(async () => {
  await app?.close();
});

describe('latchkey report signups', () => {
  it('counts self-service sign-ups by source and by application, as JSON', async () => {
    const { code, stdout } = await app.cli('report', 'signups', '--since', '30d', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.total).toBe(4);
    expect(report.bySource).toEqual([
      { source: 'newsletter', count: 2 },
      { source: 'direct', count: 1 },
      { source: 'news.example.com', count: 1 },
    ]);
    expect(report.byClient).toEqual(expect.arrayContaining([
      { clientId: shop.clientId, name: 'Shop', count: 2 },
      { clientId: blog.clientId, name: 'Blog', count: 2 },
    ]));
  });

  it('prints a readable table, and counts nothing outside the period', async () => {
    const text = await app.cli('report', 'signups');
    expect(text.stdout).toMatch(/^4 sign-up\(s\) since /);
    expect(text.stdout).toMatch(/newsletter\s+2/);
    expect(text.stdout).toMatch(/Shop\s+2/);
    await app.services.db.knex('accounts').update({ created_at: new Date(Date.now() - 40 * 86400_000) });
    expect(JSON.parse((await app.cli('report', 'signups', '--json')).stdout).total).toBe(0);
    expect(JSON.parse((await app.cli('report', 'signups', '--since', '8w', '--json')).stdout).total).toBe(4);
  });

  it('refuses a bad period with one line and exit status 2', async () => {
    const bad = await app.cli('report', 'signups', '--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('latchkey: --since takes a period such as 12h, 30d or 8w');
  });
});
