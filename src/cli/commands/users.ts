// latchkey users create|list|disable|enable
import type { AccountRow } from '../../queries/accounts.ts';
import type { Services } from '../../services.ts';
import { table, UsageError, type CommandIo } from '../io.ts';
import { onePositional, parse, required } from '../parse.ts';

export const usersHelp = `latchkey users create --email EMAIL (--password PASSWORD | --password-stdin) [--name NAME]
                     [--given-name NAME] [--family-name NAME] [--verified] [--json]
    Creates an account. --password-stdin reads the password from standard input (keeps it out of shell history).
    --verified marks the email address as verified.
latchkey users list [--limit N] [--offset N] [--json]
latchkey users disable EMAIL|ID
    Blocks sign-in and ends the account's sessions, grants and tokens.
latchkey users enable EMAIL|ID`;

function summary(account: AccountRow) {
  return {
    id: account.id,
    email: account.email,
    email_verified: account.email_verified,
    name: account.name,
    given_name: account.given_name,
    family_name: account.family_name,
    disabled: account.disabled,
    created_at: account.created_at.toISOString(),
    last_login_at: account.last_login_at?.toISOString() ?? null,
  };
}

function count(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} takes a whole number (see latchkey users --help)`);
  return Number(value);
}

export async function usersCommand(args: string[], services: Services, io: CommandIo): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const { values } = parse('users', rest, {
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        'given-name': { type: 'string' },
        'family-name': { type: 'string' },
        verified: { type: 'boolean' },
      });
      const account = await services.accounts.createAccount({
        email: required(values.email, '--email', 'users'),
        password: required(values.password, '--password', 'users'),
        name: values.name,
        givenName: values['given-name'],
        familyName: values['family-name'],
        emailVerified: values.verified ?? false,
      });
      return values.json ? io.out(JSON.stringify(summary(account))) : io.out(`Created account ${account.email} (id ${account.id})`);
    }
    case 'list': {
      const { values } = parse('users', rest, { limit: { type: 'string' }, offset: { type: 'string' } });
      const accounts = await services.accounts.listAccounts({ limit: count(values.limit, '--limit', 100), offset: count(values.offset, '--offset', 0) });
      if (values.json) return io.out(JSON.stringify({ users: accounts.map(summary) }));
      if (!accounts.length) return io.out('No accounts yet: latchkey users create --email EMAIL --password-stdin');
      return table([['ID', 'EMAIL', 'VERIFIED', 'STATUS', 'LAST SIGN-IN'], ...accounts.map((a) => [
        a.id, a.email, a.email_verified ? 'yes' : 'no', a.disabled ? 'disabled' : 'active', a.last_login_at?.toISOString() ?? 'never',
      ])]).forEach(io.out);
    }
    case 'disable':
    case 'enable': {
      const { values, positionals } = parse('users', rest, {});
      const account = await services.accounts.setDisabled(onePositional(positionals, 'EMAIL or ID', `users ${sub}`), sub === 'disable');
      return values.json ? io.out(JSON.stringify(summary(account))) : io.out(`${sub === 'disable' ? 'Disabled' : 'Enabled'} ${account.email}`);
    }
    default:
      throw new UsageError(`unknown command "users ${sub ?? ''}" (see latchkey users --help)`);
  }
}
