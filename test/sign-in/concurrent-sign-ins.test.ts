// Sign-ins under concurrency: never a 500 (no deadlock), right answers all pass at once, and a
// burst of wrong ones gets no more tries than the limit. On both engines: Postgres takes
// advisory locks across processes, the embedded database a lock in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, formAction, inputValue } from '../helpers/http-session.ts';
import { authorizationRequest, createUser, registerClient, type TestClient } from '../helpers/oidc-flow.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let client: TestClient;
beforeAll(async () => {
  app = await startApp();
  client = await registerClient(app);
});
afterAll(() => app?.close());

/** `count` sign-in pages, each in a browser of its own, ready to post. */
async function signInForms(count: number) {
  return Promise.all(Array.from({ length: count }, async () => {
    const session = new HttpSession();
    const page = await session.follow(authorizationRequest(app, client).url, app.url);
    return { session, action: new URL(formAction(page.body, '/login')!, app.url).href, csrf: inputValue(page.body, '_csrf')! };
  }));
}

describe('concurrent sign-ins of one account from one address', () => {
  it('lets 50 right passwords sign in at once, every one of them', async () => {
    const user = await createUser(app);
    const forms = await signInForms(50);
    const results = await Promise.all(forms.map(({ session, action, csrf }) => session.request(action, { form: { _csrf: csrf, email: user.email, password: user.password } })));
    expect(results.map((result) => result.status)).toEqual(Array(50).fill(303));
    expect(app.logs.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });

  it('gives a burst of 20 wrong passwords no more than the limit of tries', async () => {
    const user = await createUser(app);
    const forms = await signInForms(20);
    const results = await Promise.all(forms.map(({ session, action, csrf }) => session.request(action, { form: { _csrf: csrf, email: user.email, password: 'a wrong guess' } })));
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5); // the per-account-and-address limit
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    expect(app.logs.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });
});
