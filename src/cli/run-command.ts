// Parses a CLI command line (before any database is opened, so argument mistakes answer at
// once) and runs it with the app's services. The same code serves the terminal and the running
// server, which runs the commands the CLI hands it.
import os from 'node:os';
import { runAs } from '../libraries/audit/context.ts';
import { RequestError } from '../libraries/errors.ts';
import type { CommandServices } from '../command-services.ts';
import { apiTokensHelp, parseApiTokensCommand } from './commands/api-tokens.ts';
import { auditHelp, parseAuditCommand } from './commands/audit.ts';
import { clientsHelp, parseClientsCommand } from './commands/clients.ts';
import { keysHelp, parseKeysCommand } from './commands/keys.ts';
import { parseReportCommand, reportHelp } from './commands/report.ts';
import { parseResourcesCommand, resourcesHelp } from './commands/resources.ts';
import { parseRolesCommand, rolesHelp } from './commands/roles.ts';
import { parseUsersCommand, usersHelp } from './commands/users.ts';
import { UsageError, type CommandIo, type Execute } from './io.ts';

const serveHelp = `latchkey serve
    Runs the server in this process (what npm start does): settings come from the environment;
    SIGTERM or Ctrl-C stops it gracefully.`;

const migrateHelp = `latchkey migrate
    Applies pending database migrations (every other command and the server apply them too).`;

export const mainHelp = `latchkey: command line of the Latchkey OpenID Connect provider

${serveHelp}
${migrateHelp}
${clientsHelp}
${usersHelp}
${rolesHelp}
${resourcesHelp}
${keysHelp}
${reportHelp}
${auditHelp}
${apiTokensHelp}

The CLI reads the server's settings (DATABASE_URL, DATA_DIR, LATCHKEY_SECRET …). With the
embedded database and the server running, the server carries out the command.
Exit status: 0 done, 1 refused (the message says why), 2 bad arguments.`;

const groupHelp: Record<string, string> = { serve: serveHelp, migrate: migrateHelp, clients: clientsHelp, users: usersHelp, roles: rolesHelp, resources: resourcesHelp, keys: keysHelp, report: reportHelp, audit: auditHelp, 'api-tokens': apiTokensHelp };

/** The help text asked for, if the command line asks for help. */
export function helpFor(argv: string[]): string | undefined {
  const [group, ...rest] = argv;
  if (!group || ['help', '--help', '-h'].includes(group)) return mainHelp;
  if (rest.includes('--help') || rest.includes('-h')) return groupHelp[group] ?? mainHelp;
  return undefined;
}

/** Throws UsageError for a command line that cannot run. */
export function parseCommand(argv: string[], { applied }: { applied: string[] }): Execute {
  const [group, ...rest] = argv;
  switch (group) {
    case 'migrate':
      if (rest.length) throw new UsageError('migrate takes no arguments (see latchkey migrate --help)');
      return async (_services, io) => io.out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database schema is up to date.');
    case 'clients':
      return parseClientsCommand(rest);
    case 'users':
      return parseUsersCommand(rest);
    case 'roles':
      return parseRolesCommand(rest);
    case 'resources':
      return parseResourcesCommand(rest);
    case 'keys':
      return parseKeysCommand(rest);
    case 'report':
      return parseReportCommand(rest);
    case 'audit':
      return parseAuditCommand(rest);
    case 'api-tokens':
      return parseApiTokensCommand(rest);
    default:
      throw new UsageError(`unknown command "${group}" (see latchkey --help)`);
  }
}

/** Carries out a parsed command; the audit log names the CLI (and the system user) as the actor. */
export function execute(command: Execute, services: CommandServices, io: CommandIo): Promise<void> {
  return runAs({ type: 'cli', id: os.userInfo().username }, () => command(services, io));
}

/** Exit status of a failed command: 2 for bad arguments, 1 for a refusal; anything else is a bug. */
export function reportFailure(error: unknown, io: CommandIo): number {
  if (error instanceof UsageError || error instanceof RequestError) {
    io.err(`latchkey: ${error.message}`);
    return error instanceof UsageError ? 2 : 1;
  }
  throw error;
}

export async function runCommand(argv: string[], services: CommandServices, io: CommandIo, options: { applied: string[] }): Promise<number> {
  const help = helpFor(argv);
  if (help) {
    io.out(help);
    return 0;
  }
  try {
    await execute(parseCommand(argv, options), services, io);
    return 0;
  } catch (error) {
    return reportFailure(error, io);
  }
}
