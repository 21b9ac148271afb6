// A SCIM client written from RFC 7644 and the requests Entra ID and Okta publish for their
// provisioning (Microsoft's "Develop and plan provisioning for a SCIM endpoint", Okta's SCIM 2.0
// guide): the bodies below are theirs in shape, down to capitalised ops and "False" strings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { makeApiToken } from '../helpers/admin-api.ts';
import { startAppWithMail } from '../helpers/hosted-pages.ts';
import type { MailSink } from '../helpers/mail-sink.ts';
import { createUser, signInForTokens, tokenRequest, type TestClient } from '../helpers/oidc-flow.ts';
import type { TestApp } from '../helpers/start-app.ts';

let app: TestApp;
let sink: MailSink;
let client: TestClient;
let close: () => Promise<void>;
let scimToken: string;
let adminToken: string;
let readerToken: string;

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

async function scim(method: string, path: string, body?: unknown, token = scimToken) {
  const response = await fetch(`${app.url}/scim/v2${path}`, {
    method, headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json', ...(body ? { 'content-type': 'application/scim+json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (text) expect(response.headers.get('content-type')).toContain('application/scim+json');
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

let provisioned = 0;
/** A person the directory provisions (with a password, to sign in with). */
async function provision(extra: Record<string, unknown> = {}) {
  provisioned += 1;
  const email = `scim${provisioned}.${Date.now()}@example.test`;
  const password = 'directory given passphrase 42';
  const created = await scim('POST', '/Users', { schemas: [USER], userName: email, name: { givenName: 'Dir', familyName: `User${provisioned}` }, password, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.id as string, email, password };
}


beforeAll(async () => {
  ({ app, sink, client, close } = await startAppWithMail());
  scimToken = await makeApiToken(app, 'scim');
  adminToken = await makeApiToken(app, 'admin');
  readerToken = await makeApiToken(app, 'admin:read');
});
afterAll(() => close?.());

describe('SCIM discovery and access', () => {
  it('describes itself: ServiceProviderConfig, Schemas, ResourceTypes', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false }, authenticationSchemes: [{ type: 'oauthbearertoken' }] });
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.body.Resources.map((schema: { id: string }) => schema.id)).toEqual([USER, GROUP]);
    expect((await scim('GET', `/Schemas/${USER}`)).body.attributes.map((a: { name: string }) => a.name)).toContain('userName');
    const types = await scim('GET', '/ResourceTypes');
    expect(types.body.Resources.map((type: { endpoint: string }) => type.endpoint)).toEqual(['/Users', '/Groups']);
    expect((await scim('GET', '/ResourceTypes/User')).body.schema).toBe(USER);
  });

  it('answers SCIM errors for no token (401), and for a token without scim or admin (403)', async () => {
    const none = await fetch(`${app.url}/scim/v2/Users`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.json()).toMatchObject({ schemas: [ERROR], status: '401' });
    const reader = await scim('GET', '/Users', undefined, readerToken);
    expect(reader.status).toBe(403);
    expect(reader.body).toMatchObject({ schemas: [ERROR], status: '403' });
    expect((await scim('GET', '/Users', undefined, adminToken)).status).toBe(200);
  });

  it('takes a machine client\'s client_credentials token with the scim scope', async () => {
    const machine = JSON.parse((await app.cli('clients', 'create', '--name', 'Entra provisioning', '--grant-type', 'client_credentials', '--scope', 'scim', '--json')).stdout);
    const token = await tokenRequest(app, { clientId: machine.client_id, clientSecret: machine.client_secret }, { grant_type: 'client_credentials', scope: 'scim' });
    expect((await scim('GET', '/Users?count=1', undefined, token.body.access_token)).status).toBe(200);
  });
});

describe('Users, as Entra ID provisions them', () => {
  it('looks a person up, creates them (409 on a duplicate in any case), and mails them to set a password', async () => {
    const userName = `Test_User_${Date.now()}@Contoso.example`;
    const lookup = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(lookup.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });
    const created = await scim('POST', '/Users', {
      schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', userName, active: true,
      emails: [{ primary: true, type: 'work', value: userName }], meta: { resourceType: 'User' },
      name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' }, roles: [],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Engineering' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${app.url}/scim/v2/Users/${created.body.id}`);
    expect(created.body).toMatchObject({
      schemas: [USER], externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', active: true, displayName: 'Ada Lovelace',
      name: { givenName: 'Ada', familyName: 'Lovelace' }, meta: { resourceType: 'User', location: created.headers.get('location') },
    });
    expect(created.body.userName.toLowerCase()).toBe(userName.toLowerCase());
    expect(created.body).not.toHaveProperty('password');
    const account = (await app.services.queries.accounts.maybeFindAccountById(created.body.id))!;
    expect(account).toMatchObject({ email_verified: true, signup_method: 'scim' }); // the directory vouches for it
    expect((await sink.next(account.email)).subject).toContain('account is ready');

    const again = await scim('POST', '/Users', { schemas: [USER], userName: userName.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });

    const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`);
    expect(found.body.Resources.map((user: { id: string }) => user.id)).toEqual([created.body.id]);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`)).body.totalResults).toBe(1);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF"')}`)).body.totalResults).toBe(0); // case-exact
  });

  it('disables with "Replace" active "False", which ends sessions and refuses sign-in, and enables again', async () => {
    const user = await provision();
    const { tokens } = await signInForTokens(app, client, user, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    const disabled = await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(disabled.body.active).toBe(false);
    expect((await tokenRequest(app, client, { token: tokens.access_token }, '/token/introspection')).body.active).toBe(false);
    expect((await tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? 'none' })).status).toBe(400);
    await expect(signInForTokens(app, client, user)).rejects.toThrow();
    const enabled = await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect(enabled.body.active).toBe(true);
    await signInForTokens(app, client, user);
    const types = (await app.services.audit.list({ subjectId: user.id, limit: 10 })).events.map((event) => `${event.type}:${event.actor.type}`);
    expect(types).toEqual(expect.arrayContaining(['account.disabled:api_token', 'account.enabled:api_token']));
  });

  it('changes names and the address with path and path-less operations, and 204s a patch that changes nothing', async () => {
    const user = await provision();
    const newAddress = `moved.${Date.now()}@example.test`;
    const patched = await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: newAddress },
        { op: 'replace', value: { displayName: 'Grace Hopper', 'name.givenName': 'Grace', 'name.familyName': 'Hopper' } },
        { op: 'Add', path: 'externalId', value: 'okta-00u1' },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ userName: newAddress, displayName: 'Grace Hopper', name: { givenName: 'Grace', familyName: 'Hopper' }, externalId: 'okta-00u1' });
    expect(patched.body.emails).toEqual([{ value: newAddress, type: 'work', primary: true }]);
    const same = await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Grace Hopper' }] });
    expect(same.status).toBe(204);
    const bad = await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: 'not an address' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidValue');
  });
});

describe('Users, as Okta provisions them', () => {
  it('creates with a password (hashed, never returned), replaces with PUT, pages, and deletes', async () => {
    const userName = `isaac.${Date.now()}@example.test`;
    const created = await scim('POST', '/Users', {
      schemas: [USER], userName, name: { givenName: 'Isaac', familyName: 'Brock' }, emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Isaac Brock', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7', groups: [], password: 'modest mouse plays 1996', active: true,
    });
    expect(created.status).toBe(201);
    const account = (await app.services.queries.accounts.maybeFindAccountById(created.body.id))!;
    expect(account.password_hash).toMatch(/^\$argon2id\$/);
    await signInForTokens(app, client, { email: userName, password: 'modest mouse plays 1996' });
    const weak = await scim('POST', '/Users', { schemas: [USER], userName: `weak.${Date.now()}@example.test`, password: 'short' });
    expect(weak.status).toBe(400);

    const replaced = await scim('PUT', `/Users/${created.body.id}`, {
      schemas: [USER], id: created.body.id, userName, name: { givenName: 'Isaac', familyName: 'Brocke' }, displayName: 'Isaac Brocke', active: true, externalId: '00ujl29u0le5T6Aj10h7',
    });
    expect(replaced.body).toMatchObject({ displayName: 'Isaac Brocke', name: { familyName: 'Brocke' } });

    const total = (await scim('GET', '/Users?count=0')).body.totalResults;
    expect(total).toBeGreaterThan(3);
    const seen = new Set<string>();
    for (let start = 1; start <= total; start += 2) {
      const page = await scim('GET', `/Users?startIndex=${start}&count=2`);
      expect(page.body).toMatchObject({ startIndex: start, totalResults: total });
      for (const user of page.body.Resources) seen.add(user.id);
    }
    expect(seen.size).toBe(total);

    expect((await scim('DELETE', `/Users/${created.body.id}`)).status).toBe(204);
    const gone = await scim('GET', `/Users/${created.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('filters with and/or and refuses a filter it cannot answer', async () => {
    const user = await createUser(app, { name: 'Filter Person' });
    const byName = await scim('GET', `/Users?filter=${encodeURIComponent(`displayName eq "filter person" and emails.value sw "${user.email.slice(0, 6)}"`)}`);
    expect(byName.body.Resources.map((found: { id: string }) => found.id)).toEqual([user.id]);
    const either = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${user.email}" or userName eq "nobody@example.test"`)}`);
    expect(either.body.totalResults).toBe(1);
    const projected = await scim('GET', `/Users/${user.id}?attributes=userName`);
    expect(Object.keys(projected.body).sort()).toEqual(['id', 'schemas', 'userName']); // id and schemas always (RFC 7643 §7)
    for (const filter of ['userName xx "a"', 'nickName eq "x"', 'active eq "yes"']) {
      const refused = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(refused.status, filter).toBe(400);
      expect(refused.body.scimType).toBe('invalidFilter');
    }
  });
});

describe('Groups (Latchkey roles)', () => {
  it('are made with members, found by displayName, patched as Entra does, and reach ID tokens in the roles claim', async () => {
    const [ada, bob] = [await provision(), await provision()];
    const created = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: ada.id }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: 'Engineering', members: [{ value: ada.id, display: ada.email }], meta: { resourceType: 'Group' } });
    const found = await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}`);
    expect(found.body.Resources).toEqual([expect.objectContaining({ id: created.body.id, displayName: 'Engineering' })]);
    expect(found.body.Resources[0]).not.toHaveProperty('members'); // lists leave members out unless asked
    const withMembers = await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}&attributes=displayName,members`);
    expect(withMembers.body.Resources[0].members).toEqual([expect.objectContaining({ value: ada.id })]);

    const claims = jose.decodeJwt((await signInForTokens(app, client, ada, { params: { scope: 'openid roles' } })).tokens.id_token);
    expect(claims.roles).toEqual(['Engineering']);

    expect((await scim('PATCH', `/Groups/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ value: bob.id }] }] })).status).toBe(204);
    expect((await scim('PATCH', `/Groups/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: `members[value eq "${ada.id}"]` }] })).status).toBe(204);
    const renamed = await scim('PATCH', `/Groups/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { id: created.body.id, displayName: 'Platform' } }] });
    expect(renamed.body).toMatchObject({ displayName: 'Platform', members: [{ value: bob.id }] });
    expect((await scim('GET', `/Users/${bob.id}`)).body.groups).toEqual([{ value: created.body.id, display: 'Platform', $ref: `${app.url}/scim/v2/Groups/${created.body.id}` }]);
    expect((await app.services.queries.accounts.maybeFindAccountById(ada.id))!.roles).toEqual([]);

    expect((await scim('PUT', `/Groups/${created.body.id}`, { schemas: [GROUP], displayName: 'Platform', members: [{ value: ada.id }, { value: bob.id }] })).body.members).toHaveLength(2);
    expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'platform' })).body.scimType).toBe('uniqueness');
    expect((await scim('DELETE', `/Groups/${created.body.id}`)).status).toBe(204);
    expect((await app.services.queries.accounts.maybeFindAccountById(bob.id))!.roles).toEqual([]);
  });

  it('show the admin role, which a scim-only token may not change, and an admin token may', async () => {
    const [adminGroup] = (await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "admin"')}`)).body.Resources;
    expect(adminGroup.displayName).toBe('admin');
    const user = await provision();
    const add = { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: user.id }] }] };
    const refused = await scim('PATCH', `/Groups/${adminGroup.id}`, add);
    expect(refused.status).toBe(403);
    expect((await app.services.queries.accounts.maybeFindAccountById(user.id))!.roles).toEqual([]);
    expect((await scim('DELETE', `/Groups/${adminGroup.id}`)).status).toBe(403);
    expect((await scim('PATCH', `/Groups/${adminGroup.id}`, add, adminToken)).status).toBe(204);
    expect((await app.services.queries.accounts.maybeFindAccountById(user.id))!.roles).toEqual(['admin']);
    expect((await scim('DELETE', `/Groups/${adminGroup.id}`, undefined, adminToken)).status).toBe(409);
  });
});

describe('what a directory may not do', () => {
  it('changes or deletes only the accounts it provisioned, and none that holds admin, without the admin scope', async () => {
    const local = await createUser(app); // made here, not by the directory
    const takeOver = { schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: `evil.${Date.now()}@attacker.example` }, { op: 'replace', path: 'password', value: 'attacker chosen passphrase 1' }] };
    const refused = await scim('PATCH', `/Users/${local.id}`, takeOver);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ schemas: [ERROR], status: '403' });
    expect((await scim('PUT', `/Users/${local.id}`, { schemas: [USER], userName: local.email, active: false })).status).toBe(403);
    expect((await scim('DELETE', `/Users/${local.id}`)).status).toBe(403);
    expect((await app.services.queries.accounts.maybeFindAccountById(local.id))!).toMatchObject({ email: local.email, disabled: false });
    await signInForTokens(app, client, local); // the password is still the owner's

    const directoryAdmin = await provision();
    await app.cli('users', 'grant-admin', directoryAdmin.id);
    expect((await scim('PATCH', `/Users/${directoryAdmin.id}`, takeOver)).status).toBe(403);
    const editors = await scim('POST', '/Groups', { schemas: [GROUP], displayName: `editors-${Date.now()}`, members: [{ value: local.id }] });
    expect(editors.status).toBe(403);
    expect((await scim('GET', `/Groups?filter=${encodeURIComponent(`displayName sw "editors-"`)}`)).body.totalResults).toBe(0); // nothing half-made
    expect((await scim('PATCH', `/Users/${local.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'By admin' }] }, adminToken)).status).toBe(200);
  });

  it('renames, deletes and fills only the roles it made', async () => {
    expect((await app.cli('roles', 'create', '--name', 'finance')).code).toBe(0); // the organisation's own
    const [finance] = (await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "finance"')}`)).body.Resources;
    const user = await provision();
    expect((await scim('PATCH', `/Groups/${finance.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'trusted' }] })).status).toBe(403);
    expect((await scim('PATCH', `/Groups/${finance.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: { value: user.id } }] })).status).toBe(403);
    expect((await scim('DELETE', `/Groups/${finance.id}`)).status).toBe(403);
    expect((await app.cli('roles', 'list')).stdout).toContain('finance');
    const own = await scim('POST', '/Groups', { schemas: [GROUP], displayName: `made-${Date.now()}` });
    expect((await scim('PATCH', `/Groups/${own.body.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: { value: user.id.toUpperCase() } }] })).status).toBe(204);
    expect((await app.services.queries.accounts.maybeFindAccountById(user.id))!.roles).toContain(own.body.displayName);
  });

  it('keeps a disabled account disabled when a PUT leaves active out', async () => {
    const user = await provision();
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const put = await scim('PUT', `/Users/${user.id}`, { schemas: [USER], userName: user.email, displayName: 'Renamed' });
    expect(put.body).toMatchObject({ displayName: 'Renamed', active: false });
  });

  it('answers active pr, and a member that does not exist changes nothing', async () => {
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('active pr')}&count=1`)).status).toBe(200);
    const user = await provision();
    const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: `team-${Date.now()}`, members: [{ value: user.id }] });
    const missing = await scim('PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: '00000000-0000-4000-8000-000000000000' }] }] });
    expect(missing.status).toBe(404);
    expect((await scim('GET', `/Groups/${group.body.id}`)).body.members.map((member: { value: string }) => member.value)).toEqual([user.id]);
  });
});
