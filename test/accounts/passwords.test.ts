import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '../helpers/http-session.ts';
import { authorizationRequest, createUser, registerClient, submitLogin } from '../helpers/oidc-flow.ts';
import { startApp } from '../helpers/start-app.ts';
import { createPersistentTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

describe('password hashes', () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createPersistentTestDatabase(); });
  afterAll(() => database?.drop());

  const storedHash = async (app: Awaited<ReturnType<typeof startApp>>, id: string) =>
    (await app.services.db.knex('accounts').where({ id }).first()).password_hash as string;

  it('are argon2id PHC strings with OWASP parameters, rehashed at the next sign-in when the parameters change', async () => {
    const before = await startApp({ location: database.location });
    const client = await registerClient(before);
    const user = await createUser(before);
    const original = await storedHash(before, user.id);
    expect(original).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await before.close();

    const after = await startApp({ location: database.location, env: { PASSWORD_HASH_MEMORY_KIB: '24576', PASSWORD_HASH_ITERATIONS: '2' } });
    try {
      const session = new HttpSession();
      const page = await session.follow(authorizationRequest(after, client).url, after.url);
      await submitLogin(session, after, page, user.email, 'a wrong password');
      expect(await storedHash(after, user.id)).toBe(original); // a failed sign-in changes nothing

      await submitLogin(session, after, page, user.email, user.password);
      const rehashed = await storedHash(after, user.id);
      expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=24576,p=1,t=2\$/);
      expect(rehashed).not.toBe(original);
    } finally {
      await after.close();
    }
  });
});
