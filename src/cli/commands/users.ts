// latchkey users: create, show, list, disable, enable, remove factors, end sessions, delete, admin role, consents
import { normaliseEmail } from '../../libraries/email-address.ts';
import { checkNewPassword } from '../../libraries/password-policy.ts';
import fs from 'node:fs';
import { presentAccount } from '../../libraries/account-admin.ts';
import { RequestError } from '../../libraries/errors.ts';
import { table, UsageError, type Execute } from '../io.ts';
import { count, onePositional, parse, required } from '../parse.ts';

export const usersHelp = `latchkey users create --email EMAIL (--password PASSWORD | --password-stdin | --invite) [--name NAME]
                     [--given-name NAME] [--family-name NAME] [--verified] [--admin] [--json]
    Creates an account. --password-stdin reads the password from standard input (keeps it out of shell history);
    --invite mails the person a link to choose their password (valid 7 days) instead.
    --verified marks the email address as verified; --admin gives it the admin role.
latchkey users show EMAIL|ID [--json]
    Everything about one person: profile, roles, second factors (never secrets), sessions, the
    applications they allowed, how they signed up.
latchkey users list [--limit N] [--offset N] [--json]
latchkey users disable EMAIL|ID
    Blocks sign-in and ends the account's sessions, grants and tokens.
latchkey users enable EMAIL|ID
latchkey users remove-factors EMAIL|ID [--json]
    For a person who lost their phone and recovery codes: removes every second factor and recovery
    code, signs them out everywhere and mails them. Where policy requires a second factor, their
    next sign-in asks them to set one up again.
latchkey users end-sessions EMAIL|ID [--json]
    Signs the person out everywhere: every session, grant and token ends.
latchkey users delete EMAIL|ID --confirm EMAIL
    Erases the account with its factors, sessions, grants, tokens and consents (--confirm repeats the address).
latchkey users grant-role EMAIL|ID ROLE
latchkey users revoke-role EMAIL|ID ROLE
    Gives or takes a role (see latchkey roles). grant-admin and revoke-admin EMAIL|ID do it for
    the admin role (with MFA_REQUIRED=admins, admins must use a second factor).
latchkey users import FILE.jsonl [--dry-run] [--json]
    Moves people in: one JSON object per line, such as {"email": "ada@example.com", "name": "Ada",
    "password_hash": "$2b$12$…", "email_verified": true, "roles": ["editor"]}. Hashes may be bcrypt,
    Django pbkdf2_sha256, argon2 or $scrypt$; each is verified as it is and rehashed to argon2id at
    the first sign-in. All or nothing: a refused line (reported with its number) imports nothing;
    addresses that have an account are left as they are, so importing a file again changes nothing.
latchkey users consents EMAIL|ID [--json]
    The applications the person allowed, with the scopes (remembered until revoked).
latchkey users revoke-consent EMAIL|ID [--client CLIENT_ID] [--json]
    Forgets what the person allowed one application (or all), and ends the grants and tokens
    it holds for them: their next sign-in to it asks for consent again.`;


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
        invite: { type: 'boolean' },
      });
      if (values.invite && values.password !== undefined) throw new UsageError('users create takes --invite or a password, not both (see latchkey users --help)');
      const input = {
        email: required(values.email, '--email', 'users create'),
        password: values.invite ? undefined : required(values.password, '--password, --password-stdin or --invite', 'users create'),
        name: values.name,
        givenName: values['given-name'],
        familyName: values['family-name'],
        emailVerified: values.verified ?? false,
        admin: values.admin ?? false,
        signupMethod: 'cli' as const,
      };
      // Refuse bad input before opening the database (the server's PASSWORD_MIN_LENGTH is applied on creation).
      normaliseEmail(input.email);
      if (input.password !== undefined) checkNewPassword(input.password, { email: input.email, name: input.name, givenName: input.givenName, familyName: input.familyName });
      return async ({ accounts, accountAdmin }, io) => {
        const account = input.password === undefined ? await accountAdmin.create({ ...input, invite: true }) : await accounts.createAccount(input);
        io.out(values.json ? JSON.stringify(presentAccount(account)) : `Created account ${account.email} (id ${account.id})`);
      };
    }
    case 'list': {
      const { values } = parse(`users ${sub}`, rest, { limit: { type: 'string' }, offset: { type: 'string' } });
      const page = { limit: count(values.limit, '--limit', 'users list', 100), offset: count(values.offset, '--offset', 'users list', 0) };
      return async ({ accounts }, io) => {
        const all = await accounts.listAccounts(page);
        if (values.json) return io.out(JSON.stringify({ users: all.map((account) => presentAccount(account)) }));
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
        io.out(values.json ? JSON.stringify(presentAccount(account)) : `${sub === 'disable' ? 'Disabled' : 'Enabled'} ${account.email}`);
      };
    }
    case 'show': {
      const { values, positionals } = parse(`users ${sub}`, rest, {});
      const who = onePositional(positionals, 'EMAIL or ID', `users ${sub}`);
      return async ({ accounts, accountAdmin }, io) => {
        const person = await accountAdmin.view((await accounts.findByIdOrEmail(who)).id);
        if (values.json) return io.out(JSON.stringify(person));
        const factors = person.second_factors;
        [
          `id:             ${person.id}`,
          `email:          ${person.email} (${person.email_verified ? 'verified' : 'not verified'})`,
          `name:           ${person.name ?? '—'}`,
          `status:         ${person.disabled ? 'disabled' : 'active'}`,
          `roles:          ${person.roles.join(', ') || '—'}`,
          `second factors: ${[factors.totp ? 'authenticator app' : '', ...factors.passkeys.map((key) => `passkey "${key.name}"`)].filter(Boolean).join(', ') || 'none'}`
            + (factors.recovery_codes_left ? `; ${factors.recovery_codes_left} recovery codes left` : ''),
          `sessions:       ${person.sessions.length}`,
          `applications:   ${person.applications.map((app) => app.client_name ?? app.client_id).join(', ') || '—'}`,
          `signed up:      ${person.created_at} (${person.signup.method ?? 'unknown'})`,
          `last sign-in:   ${person.last_sign_in_at ?? 'never'}`,
        ].forEach(io.out);
      };
    }
    case 'remove-factors':
    case 'end-sessions': {
      const { values, positionals } = parse(`users ${sub}`, rest, {});
      const who = onePositional(positionals, 'EMAIL or ID', `users ${sub}`);
      return async ({ accounts, accountAdmin }, io) => {
        const account = await accounts.findByIdOrEmail(who);
        if (sub === 'remove-factors') {
          const { removed } = await accountAdmin.removeSecondFactors(account.id);
          io.out(values.json ? JSON.stringify({ removed }) : removed ? `Removed ${removed} second factor(s) of ${account.email}; they were signed out and mailed.` : `${account.email} has no second factor.`);
        } else {
          const { ended } = await accountAdmin.endSessions(account.id);
          io.out(values.json ? JSON.stringify({ ended }) : `Signed ${account.email} out everywhere (${ended} session, grant and token records ended).`);
        }
      };
    }
    case 'delete': {
      const { positionals, values } = parse(`users ${sub}`, rest, { confirm: { type: 'string' } });
      const who = onePositional(positionals, 'EMAIL or ID', `users ${sub}`);
      const confirm = required(values.confirm, '--confirm EMAIL', `users ${sub}`);
      return async ({ accounts, accountAdmin }, io) => {
        const account = await accounts.findByIdOrEmail(who);
        if (normaliseEmail(confirm).toLowerCase() !== account.email.toLowerCase()) throw new UsageError(`--confirm must repeat the account's address, ${account.email}`);
        await accountAdmin.delete(account.id);
        io.out(values.json ? JSON.stringify({ deleted: account.id }) : `Deleted ${account.email}`);
      };
    }
    case 'import': {
      const { positionals, values } = parse(`users ${sub}`, rest, { 'dry-run': { type: 'boolean' } });
      const file = onePositional(positionals, 'FILE.jsonl', `users ${sub}`);
      return async ({ accountImport }, io) => {
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (error) {
          throw new UsageError(`users import cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        const report = await accountImport.importJsonLines(text, { dryRun: values['dry-run'] });
        if (values.json) io.out(JSON.stringify(report));
        else {
          for (const { line, reason } of report.refused) io.out(`line ${line}: ${reason}`);
          if (!report.refused.length) {
            io.out(report.dry_run
              ? `Dry run: ${report.created} account(s) would be imported, ${report.unchanged} address(es) have an account already.`
              : `Imported ${report.created} account(s); ${report.unchanged} address(es) had an account already and were left as they are.`);
          }
        }
        if (report.refused.length) throw new RequestError('import_refused', 400, `${report.refused.length} line(s) refused; nothing was imported.`);
      };
    }
    case 'grant-admin':
    case 'revoke-admin':
    case 'grant-role':
    case 'revoke-role': {
      const admin = sub.endsWith('-admin');
      const { values, positionals } = parse(`users ${sub}`, rest, {});
      if (positionals.length !== (admin ? 1 : 2)) throw new UsageError(`users ${sub} takes ${admin ? 'EMAIL|ID' : 'EMAIL|ID ROLE'} (see latchkey users --help)`);
      const [who, role = 'admin'] = positionals as [string, string?];
      const granting = sub.startsWith('grant');
      return async ({ accounts, roles }, io) => {
        const account = await accounts.findByIdOrEmail(who);
        const changed = granting ? await roles.grant(role, account.id) : await roles.revoke(role, account.id);
        const now = (await accounts.findByIdOrEmail(account.id)).roles;
        if (values.json) return io.out(JSON.stringify({ id: account.id, email: account.email, roles: now, changed }));
        io.out(`${account.email} ${granting ? (changed ? 'now holds' : 'already held') : (changed ? 'no longer holds' : 'did not hold')} the role ${role}`);
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
