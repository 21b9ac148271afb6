// When a person was last active: each request their browser makes with its session marks the
// session, at most once a minute (no write per request), and the admin API and console say
// "active now" (within 5 minutes) and when they were last seen.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeApiToken } from '../helpers/admin-api.ts';
import { authorize, createUser, registerClient, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
let token: string;
beforeAll(async () => {
  app = await startApp();
  client = await registerClient(app);
  token = await makeApiToken(app, 'admin:read');
});
afterAll(() => app?.close());

const person = async (id: string) => (await (await fetch(`${app.url}/api/admin/v1/users/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
  last_seen_at: string | null; active_now: boolean; sessions: Array<{ last_active_at: string; active_now: boolean }>;
};

describe('session activity', () => {
  it('marks a session active when its browser comes back, at most once a minute, and says so', async () => {
    const user = await createUser(app);
    const { session } = await authorize(app, client, user);
    const id = crypto.createHash('sha256').update(session.cookie('lk_session')!.value).digest('base64url');
    const knex = app.services.db.knex;
    const savedAt = async () => (await knex('oidc_payloads').where({ model: 'Session', id }).first()).saved_at as Date;
    const backdate = (minutes: number) => knex('oidc_payloads').where({ model: 'Session', id }).update({ saved_at: knex.raw(`now() - interval '${minutes} minutes'`) });

    expect(await person(user.id)).toMatchObject({ active_now: true });
    await backdate(10);
    const away = await person(user.id);
    expect(away).toMatchObject({ active_now: false, sessions: [{ active_now: false }] });
    expect(Date.now() - Date.parse(away.last_seen_at!)).toBeGreaterThan(9 * 60_000);

    // More than a minute later by this process's clock too (it remembers the save at sign-in).
    const later = Date.now() + 61_000;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => later);
    // Discovery and static files do not use the session: the cookie sent there marks nothing
    // (a made-up one would otherwise cost a statement each time).
    await session.request(`${app.url}/.well-known/openid-configuration`);
    await session.request(`${app.url}/static/latchkey.css`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(Date.now() - (await savedAt()).getTime()).toBeGreaterThan(9 * 60_000);
    // The browser comes back to a page that uses its session: marked, after the answer.
    await session.request(`${app.url}/account/security`);
    clock.mockRestore();
    await expect.poll(async () => Date.now() - (await savedAt()).getTime(), { timeout: 5000 }).toBeLessThan(60_000);
    expect(await person(user.id)).toMatchObject({ active_now: true, sessions: [{ active_now: true }] });

    // Within the minute, more requests write nothing (here: the mark is pushed back, and stays there).
    await backdate(3);
    const before = await savedAt();
    for (let i = 0; i < 3; i += 1) await session.request(`${app.url}/account/security`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await savedAt()).toEqual(before);

    // Nor does another process write a session marked within the minute.
    await knex('oidc_payloads').where({ model: 'Session', id }).update({ saved_at: knex.raw(`now() - interval '30 seconds'`) });
    const recent = await savedAt();
    await app.services.queries.oidcPayloads.touchSession(id, 60);
    expect(await savedAt()).toEqual(recent);
  });
});
