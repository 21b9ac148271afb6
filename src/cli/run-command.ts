// Dispatches one CLI command line to its command, with the app's services. The same function
// serves the terminal and the running server (which runs commands the CLI forwards to it).
import { RequestError } from '../libraries/errors.ts';
import type { Services } from '../services.ts';
import { clientsCommand, clientsHelp } from './commands/clients.ts';
import { keysCommand, keysHelp } from './commands/keys.ts';
import { usersCommand, usersHelp } from './commands/users.ts';
import { UsageError, type CommandIo } from './io.ts';

const migrateHelp = `latchkey migrate
    Applies pending database migrations (every other command and the server apply them too).`;

export const mainHelp = `latchkey: command line of the Latchkey OpenID Connect provider

${migrateHelp}
${clientsHelp}
${usersHelp}
${keysHelp}

The CLI reads the server's settings (DATABASE_URL, DATA_DIR, LATCHKEY_SECRET …). With the
embedded database and the server running, the server carries out the command.
Exit status: 0 done, 1 refused (the message says why), 2 bad arguments.`;

const groupHelp: Record<string, string> = { migrate: migrateHelp, clients: clientsHelp, users: usersHelp, keys: keysHelp };

/** The help text asked for, if the command line asks for help. */
export function helpFor(argv: string[]): string | undefined {
  const [group, ...rest] = argv;
  if (!group || ['help', '--help', '-h'].includes(group)) return mainHelp;
  if (rest.includes('--help') || rest.includes('-h')) return groupHelp[group] ?? mainHelp;
  return undefined;
}

export async function runCommand(argv: string[], services: Services, io: CommandIo, { applied }: { applied: string[] }): Promise<number> {
  const help = helpFor(argv);
  if (help) {
    io.out(help);
    return 0;
  }
  const [group, ...rest] = argv;
  try {
    switch (group) {
      case 'migrate':
        if (rest.length) throw new UsageError('migrate takes no arguments');
        io.out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database schema is up to date.');
        return 0;
      case 'clients':
        await clientsCommand(rest, services, io);
        return 0;
      case 'users':
        await usersCommand(rest, services, io);
        return 0;
      case 'keys':
        await keysCommand(rest, services, io);
        return 0;
      default:
        throw new UsageError(`unknown command "${group}" (see latchkey --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`latchkey: ${error.message}`);
      return 2;
    }
    if (error instanceof RequestError) {
      io.err(`latchkey: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
