// How oidc-provider's records reach the database: a provider request's writes are held until its
// answer is ready and then written together; a record it read and saves again is only updated,
// so that a sign-out meanwhile is not undone; prepared statements keep working after a migration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from 'oidc-provider';
import { holdWrites } from '../../src/oidc/held-writes.ts';
import { withRequestMemo } from '../../src/oidc/request-memo.ts';
import { ACCOUNT_COLUMNS } from '../../src/queries/accounts.ts';
import { tokenDigest } from '../../src/libraries/token-digest.ts';
import { authorize, createUser, redeemCode, registerClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sessions: Adapter;
let interactions: Adapter;
beforeAll(async () => {
  app = await startApp();
  const provider = app.services.provider.current as unknown as Record<string, { adapter: Adapter }>;
  sessions = provider.Session!.adapter;
  interactions = provider.Interaction!.adapter;
});
afterAll(() => app?.close());

const stored = async (model: string, id: string) =>
  app.services.db.knex('oidc_payloads').where({ model, id: tokenDigest(id) }).first();

/** Runs `work` as a provider request's middleware would: a memo of its own, writes held until it ends. */
const asProviderRequest = (work: () => Promise<void>) => withRequestMemo(() => holdWrites()({} as never, work));

describe('writes held until the answer', () => {
  it('writes nothing while the request runs, lets it read its own writes, and writes all at its end', async () => {
    await asProviderRequest(async () => {
      await interactions.upsert('held-interaction', { uid: 'held-uid', exp: 0 } as never, 600);
      await sessions.upsert('held-session', { uid: 'held-session-uid', accountId: 'nobody' } as never, 600);
      expect(await stored('Interaction', 'held-interaction')).toBeUndefined();
      expect(await interactions.find('held-interaction')).toMatchObject({ uid: 'held-uid' });
      expect(await sessions.findByUid('held-session-uid')).toMatchObject({ accountId: 'nobody' });
      await interactions.destroy('held-interaction');
      expect(await interactions.find('held-interaction')).toBeUndefined();
    });
    expect(await stored('Interaction', 'held-interaction')).toBeUndefined(); // made and ended in one request: never written
    expect(await stored('Session', 'held-session')).toMatchObject({ uid: 'held-session-uid', account_id: 'nobody' });
  });

  it('deletes a session and writes its successor with the same uid in one statement', async () => {
    await sessions.upsert('old-session', { uid: 'shared-uid', accountId: 'someone' } as never, 600);
    await asProviderRequest(async () => {
      await sessions.destroy('old-session');
      await sessions.upsert('new-session', { uid: 'shared-uid', accountId: 'someone' } as never, 600);
    });
    expect(await stored('Session', 'old-session')).toBeUndefined();
    expect(await stored('Session', 'new-session')).toMatchObject({ uid: 'shared-uid' });
  });

  it('does not bring back a session that a sign-out deleted while the request that read it ran', async () => {
    await sessions.upsert('signed-out-session', { uid: 'signed-out-uid', accountId: 'leaver' } as never, 600);
    await asProviderRequest(async () => {
      const session = await sessions.find('signed-out-session');
      await app.services.queries.oidcPayloads.deletePayloadsByAccountId('leaver'); // "sign out everywhere", elsewhere
      await sessions.upsert('signed-out-session', { ...session!, touched: true } as never, 600);
    });
    expect(await stored('Session', 'signed-out-session')).toBeUndefined();

    // a session the request did not read is a new one, and is written
    await asProviderRequest(() => sessions.upsert('fresh-session', { uid: 'fresh-uid', accountId: 'leaver' } as never, 600));
    expect(await stored('Session', 'fresh-session')).toBeDefined();
  });

  it('answers a whole sign-in with its writes stored before each answer', async () => {
    const client = await registerClient(app, { skipConsent: true });
    const user = await createUser(app);
    const flow = await authorize(app, client, user);
    expect((await redeemCode(app, client, flow.code!, flow.request.verifier)).status).toBe(200);
  });
});

describe('prepared statements', () => {
  it('name every column of the accounts table', async () => {
    const columns = await app.services.db.knex('information_schema.columns').where({ table_name: 'accounts', table_schema: 'public' }).pluck('column_name');
    expect(ACCOUNT_COLUMNS.split(', ').map((column) => column.replace('accounts.', '')).sort()).toEqual([...columns].sort());
  });

  it('keep working on every connection after a migration adds a column', async () => {
    const client = await registerClient(app, { skipConsent: true });
    const user = await createUser(app);
    const first = await authorize(app, client, user);
    expect((await redeemCode(app, client, first.code!, first.request.verifier)).status).toBe(200);
    await app.services.db.knex.raw('alter table accounts add column probe_added_later text');
    try {
      const again = await authorize(app, client, user);
      expect((await redeemCode(app, client, again.code!, again.request.verifier)).status).toBe(200);
    } finally {
      await app.services.db.knex.raw('alter table accounts drop column probe_added_later');
    }
  });
});
