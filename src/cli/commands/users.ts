// latchkey users create|list|disable|enable
import { normaliseEmail } from '../../libraries/email-address.ts';
import { checkNewPassword } from '../../libraries/password-policy.ts';
import type { AccountRow } from '../../queries/accounts.ts';
import { table, UsageError, type Execute } from '../io.ts';
import { count, onePositional, parse, required } from '../parse.ts';

export const usersHelp = `latchkey users create --email EMAIL (--password PASSWORD | --password-stdin) [--name NAME]
                     [--given-name NAME] [--family-name NAME] [--verified] [--admin] [--json]
    Creates an account. --password-stdin reads the password from standard input (keeps it out of shell history).
    --verified marks the email address as verified; --admin gives it the admin role.
latchkey users list [--limit N] [--offset N] [--json]
latchkey users disable EMAIL|ID
    Blocks sign-in and ends the account's sessions, grants and tokens.
latchkey users enable EMAIL|ID
latchkey users grant-admin EMAIL|ID
latchkey users revoke-admin EMAIL|ID
    Gives or takes the admin role (with MFA_REQUIRED=admins, admins must use a second factor).
latchkey users consents EMAIL|ID [--json]
    The applications the person allowed, with the scopes (remembered until revoked).
latchkey users revoke-consent EMAIL|ID [--client CLIENT_ID] [--json]
    Forgets what the person allowed one application (or all), and ends the grants and tokens
    it holds for them: their next sign-in to it asks for consent again.`;

function summary(account: AccountRow) {
  return {
    id: account.id,
    email: account.email,
    email_verified: account.email_verified,
    name: account.name,
    given_name: account.given_name,
    family_name: account.family_name,
    disabled: account.disabled,
    roles: account.roles,
    created_at: account.created_at.toISOString(),
    last_login_at: account.last_login_at?.toISOString() ?? null,
    language: account.language, // of the pages last signed in on; mails no page causes use it
  };
}

export function parseUsersCommand(args: string[]): Execute {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const { values } = parse(`users ${sub}`, rest, {
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        'given-name': { type: 'string' },
        'family-name': { type: 'string' },
        verified: { type: 'boolean' },
        admin: { type: 'boolean' },
      });
      const input = {
        email: required(values.email, '--email', 'users create'),
        password: required(values.password, '--password or --password-stdin', 'users create'),
        name: values.name,
        givenName: values['given-name'],
        familyName: values['family-name'],
        emailVerified: values.verified ?? false,
        admin: values.admin ?? false,
        signupMethod: 'cli' as const,
      };
      // Refuse bad input before opening the database (the server's PASSWORD_MIN_LENGTH is applied on creation).
      normaliseEmail(input.email);
      checkNewPassword(input.password, { email: input.email, name: input.name, givenName: input.givenName, familyName: input.familyName });
      return async ({ accounts }, io) => {
        const account = await accounts.createAccount(input);
        io.out(values.json ? JSON.stringify(summary(account)) : `Created account ${account.email} (id ${account.id})`);
      };
    }
    case 'list': {
      const { values } = parse(`users ${sub}`, rest, { limit: { type: 'string' }, offset: { type: 'string' } });
      const page = { limit: count(values.limit, '--limit', 'users list', 100), offset: count(values.offset, '--offset', 'users list', 0) };
      return async ({ accounts }, io) => {
        const all = await accounts.listAccounts(page);
        if (values.json) return io.out(JSON.stringify({ users: all.map(summary) }));
        if (!all.length) return io.out('No accounts yet: latchkey users create --email EMAIL --password-stdin');
        table([['ID', 'EMAIL', 'VERIFIED', 'STATUS', 'ROLES', 'LAST SIGN-IN'], ...all.map((a) => [
          a.id, a.email, a.email_verified ? 'yes' : 'no', a.disabled ? 'disabled' : 'active', a.roles.join(',') || '-', a.last_login_at?.toISOString() ?? 'never',
        ])]).forEach(io.out);
      };
    }
    case 'disable':
    case 'enable': {
      const { values, positionals } = parse(`users ${sub}`, rest, {});
      const who = onePositional(positionals, 'EMAIL or ID', `users ${sub}`);
      return async ({ accounts }, io) => {
        const account = await accounts.setDisabled(who, sub === 'disable');
        io.out(values.json ? JSON.stringify(summary(account)) : `${sub === 'disable' ? 'Disabled' : 'Enabled'} ${account.email}`);
      };
    }
    case 'grant-admin':
    case 'revoke-admin': {
      const { values, positionals } = parse(`users ${sub}`, rest, {});
      const who = onePositional(positionals, 'EMAIL or ID', `users ${sub}`);
      return async ({ accounts }, io) => {
        const account = await accounts.setAdmin(who, sub === 'grant-admin');
        io.out(values.json ? JSON.stringify(summary(account)) : `${account.email} ${sub === 'grant-admin' ? 'is now an admin' : 'is no longer an admin'}`);
      };
    }
    case 'consents': {
      const { values, positionals } = parse(`users ${sub}`, rest, {});
      const who = onePositional(positionals, 'EMAIL or ID', `users ${sub}`);
      return async ({ accounts, consents }, io) => {
        const rows = await consents.list((await accounts.findByIdOrEmail(who)).id);
        const listed = rows.map((row) => ({ client_id: row.client_id, scopes: row.scopes, allowed_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() }));
        if (values.json) return io.out(JSON.stringify({ consents: listed }));
        if (!listed.length) return io.out('No application was allowed anything.');
        table([['CLIENT', 'SCOPES', 'ALLOWED'], ...listed.map((c) => [c.client_id, c.scopes.join(' '), c.allowed_at])]).forEach(io.out);
      };
    }
    case 'revoke-consent': {
      const { values, positionals } = parse(`users ${sub}`, rest, { client: { type: 'string' } });
      const who = onePositional(positionals, 'EMAIL or ID', `users ${sub}`);
      return async ({ accounts, consents }, io) => {
        const account = await accounts.findByIdOrEmail(who);
        const revoked = await consents.revoke(account, values.client);
        io.out(values.json ? JSON.stringify({ revoked }) : `Revoked ${revoked} consent${revoked === 1 ? '' : 's'} of ${account.email}`);
      };
    }
    default:
      throw new UsageError(`unknown command "users ${sub ?? ''}" (see latchkey users --help)`);
  }
}
