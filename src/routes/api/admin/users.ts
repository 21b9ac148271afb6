// /users: find, see, make, change, sign out, reset and delete people.
import { z } from 'zod';
import { presentAccount } from '../../../libraries/account-admin.ts';
import { defineRoute } from './define-route.ts';
import { accountDetailSchema, accountExportSchema, accountSchema, page, pageQuery, queryBoolean, uuidParams } from './schemas.ts';

const tag = 'Users';
const name = z.string().max(200).nullable();
const importReportSchema = z.object({
  lines: z.number().int(), created: z.number().int().describe('Made (or, in a dry run, that would be)'),
  unchanged: z.number().int().describe('Addresses that have an account already'),
  refused: z.array(z.object({ line: z.number().int(), reason: z.string() })), dry_run: z.boolean().describe('Nothing was written'),
});

export const userRoutes = [
  defineRoute({
    method: 'get', path: '/users', operationId: 'listUsers', tag, need: 'admin:read',
    summary: 'Find people',
    description: 'Newest first. Every filter given must match.',
    query: z.object({
      query: z.string().min(1).max(200).optional().describe('A prefix of the email address or the name, any letter case'),
      role: z.string().min(1).max(100).optional(),
      disabled: queryBoolean.optional(),
      verified: queryBoolean.optional().describe('Whether the email address is verified'),
      has_second_factor: queryBoolean.optional(),
      ...pageQuery,
    }),
    responses: { 200: { description: 'A page of people', schema: page(accountSchema) } },
    async handle({ query, services }) {
      const { accounts, next } = await services.accountAdmin.search({
        query: query.query, role: query.role, disabled: query.disabled, verified: query.verified, hasSecondFactor: query.has_second_factor,
        cursor: query.cursor, limit: query.limit ?? 50,
      });
      return { status: 200, body: { data: accounts, next_cursor: next ?? null } };
    },
  }),

  defineRoute({
    method: 'post', path: '/users', operationId: 'createUser', tag, need: 'admin',
    summary: 'Make an account',
    description: 'Without a password the person is mailed a link to choose one (valid 7 days), unless invite is false.',
    body: z.object({
      email: z.string().min(3).max(320),
      name: z.string().max(200).optional(),
      given_name: z.string().max(200).optional(),
      family_name: z.string().max(200).optional(),
      email_verified: z.boolean().optional().describe('Default false (true once they use the invitation)'),
      password: z.string().min(1).max(1024).optional().describe('Checked against the password policy; never returned'),
      invite: z.boolean().optional().describe('Mail a link to choose a password (default true when no password is given)'),
      admin: z.boolean().optional().describe('Give the account the admin role'),
    }).strict(),
    responses: { 201: { description: 'The account', schema: accountSchema } },
    problems: { 409: 'An account has this address already (in any letter case).' },
    async handle({ body, services }) {
      const account = await services.accountAdmin.create({
        email: body.email, name: body.name, givenName: body.given_name, familyName: body.family_name,
        emailVerified: body.email_verified ?? false, password: body.password, invite: body.invite, admin: body.admin ?? false,
      });
      return { status: 201, body: presentAccount(account), headers: { Location: `${services.config.issuer}/api/admin/v1/users/${account.id}` } };
    },
  }),

  defineRoute({
    method: 'post', path: '/users/import', operationId: 'importUsers', tag, need: 'admin',
    summary: 'Move people in with their existing password hashes',
    description: 'Up to 1000 people a call, each with an optional password_hash (bcrypt, Django pbkdf2_sha256, argon2 or $scrypt$), verified as it is and rehashed to argon2id at the first sign-in. All or nothing: if any entry is refused (listed with its position, from 1), nothing is imported (422). Addresses that have an account are left as they are. With dry_run, nothing is written and created says how many would be.',
    body: z.object({ users: z.array(z.record(z.string(), z.unknown())).min(1).max(1000), dry_run: z.boolean().optional() }).strict(),
    responses: {
      200: { description: 'The report', schema: importReportSchema },
      422: { description: 'Some entries were refused: nothing was imported', schema: importReportSchema },
    },
    async handle({ body, services }) {
      const report = await services.accountImport.importAccounts(body.users.map((value, index) => ({ line: index + 1, value })), { dryRun: body.dry_run });
      return { status: report.refused.length ? 422 : 200, body: report };
    },
  }),

  defineRoute({
    method: 'get', path: '/users/{id}', operationId: 'getUser', tag, need: 'admin:read',
    summary: 'Everything about one person',
    description: 'Profile, roles, second factors (never their secrets), sessions, the applications they allowed and how they signed up.',
    params: uuidParams,
    responses: { 200: { description: 'The person', schema: accountDetailSchema } },
    handle: async ({ params, services }) => ({ status: 200, body: await services.accountAdmin.view(params.id) }),
  }),

  defineRoute({
    method: 'patch', path: '/users/{id}', operationId: 'updateUser', tag, need: 'admin',
    summary: 'Change a profile or address',
    description: 'Only the fields sent change; null clears a name. A new address is unverified unless email_verified says otherwise, and links mailed to the old one stop working.',
    params: uuidParams,
    body: z.object({
      name, given_name: name, family_name: name,
      email: z.string().min(3).max(320).optional(),
      email_verified: z.boolean().optional(),
    }).partial().strict(),
    responses: { 200: { description: 'The account as it is now', schema: accountSchema } },
    problems: { 409: 'Another account has this address (in any letter case).' },
    async handle({ params, body, services }) {
      const account = await services.accountAdmin.updateProfile(params.id, {
        name: body.name, givenName: body.given_name, familyName: body.family_name, email: body.email, emailVerified: body.email_verified,
      });
      return { status: 200, body: presentAccount(account) };
    },
  }),

  defineRoute({
    method: 'get', path: '/users/{id}/export', operationId: 'exportUser', tag, need: 'admin:read',
    summary: 'Everything held about one person, as they would download it',
    description: 'Profile (every field but the password hash), address, how they signed up, roles, second factors (never their secrets), sessions, the applications they allowed with first and last use, and every audit event about them with IP and browser. Recorded in the audit log (account.exported).',
    params: uuidParams,
    responses: { 200: { description: 'The person\'s data', schema: accountExportSchema } },
    handle: async ({ params, services }) => ({ status: 200, body: await services.dataExport.export(params.id, { by: 'admin' }) }),
  }),

  defineRoute({
    method: 'delete', path: '/users/{id}', operationId: 'deleteUser', tag, need: 'admin',
    summary: 'Erase an account',
    description: 'With its second factors, sessions, grants, tokens, consents and pending links. Every application the person used is sent a back-channel logout, the address is mailed a confirmation, and the person\'s audit events keep no personal data: their id becomes a pseudonym, and their IP addresses, browsers and address go. Refused (409) for the only enabled admin.',
    params: uuidParams,
    responses: { 204: { description: 'Erased' } },
    problems: { 409: 'This is the only enabled admin: make someone else an admin first.' },
    async handle({ params, services }) {
      await services.accountAdmin.delete(params.id);
      return { status: 204 };
    },
  }),

  ...(['disable', 'enable'] as const).map((action) => defineRoute({
    method: 'post', path: `/users/{id}/${action}`, operationId: `${action}User`, tag, need: 'admin',
    summary: action === 'disable' ? 'Disable an account: sign-in refused, sessions, grants and tokens end' : 'Enable a disabled account',
    params: uuidParams,
    responses: { 200: { description: 'The account as it is now', schema: accountSchema } },
    async handle({ params, services }) {
      const account = await services.accounts.setDisabled(params.id, action === 'disable');
      return { status: 200, body: presentAccount(account) };
    },
  })),

  defineRoute({
    method: 'post', path: '/users/{id}/password-reset', operationId: 'sendPasswordReset', tag, need: 'admin',
    summary: 'Mail the person a link to choose a new password',
    params: uuidParams,
    responses: { 202: { description: 'The mail is queued' } },
    problems: { 409: 'The account is disabled.' },
    async handle({ params, services }) {
      await services.accountAdmin.sendPasswordReset(params.id);
      return { status: 202 };
    },
  }),

  defineRoute({
    method: 'post', path: '/users/{id}/verify-email', operationId: 'markEmailVerified', tag, need: 'admin',
    summary: 'Mark the address verified',
    params: uuidParams,
    responses: { 200: { description: 'The account as it is now', schema: accountSchema } },
    async handle({ params, services }) {
      return { status: 200, body: presentAccount(await services.accountAdmin.updateProfile(params.id, { emailVerified: true })) };
    },
  }),

  defineRoute({
    method: 'delete', path: '/users/{id}/second-factors', operationId: 'removeSecondFactors', tag, need: 'admin',
    summary: 'Remove every second factor (lost phone and recovery codes)',
    description: 'Removes the authenticator app, keys, passkeys and recovery codes, signs the person out everywhere and mails them. Where policy requires a second factor, their next sign-in asks them to set one up.',
    params: uuidParams,
    responses: { 200: { description: 'How many factors went', schema: z.object({ removed: z.number().int() }) } },
    handle: async ({ params, services }) => ({ status: 200, body: await services.accountAdmin.removeSecondFactors(params.id) }),
  }),

  defineRoute({
    method: 'delete', path: '/users/{id}/sessions', operationId: 'endSessions', tag, need: 'admin',
    summary: 'Sign the person out everywhere',
    description: 'Every session, grant and token of the account ends.',
    params: uuidParams,
    responses: { 200: { description: 'How many records ended', schema: z.object({ ended: z.number().int() }) } },
    handle: async ({ params, services }) => ({ status: 200, body: await services.accountAdmin.endSessions(params.id) }),
  }),
];
