// The `latchkey` command. Runs against the configured database; with the embedded database
// and a server running, the server runs the command instead (PGlite admits one process).
// Arguments are checked before anything heavy loads, so mistakes answer at once.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/env.ts';
import { currentHolder, DataDirBusyError } from '../db/data-dir-lock.ts';
import { sendCommand } from './control-socket.ts';
import { terminalIo } from './io.ts';
import { execute, helpFor, parseCommand, reportFailure } from './run-command.ts';

/** A file named to the CLI is read by the server when it runs the command: name it whole. */
function absoluteFile(argv: string[]): string[] {
  if (argv[0] !== 'users' || argv[1] !== 'import') return argv;
  return argv.map((arg, index) => (index > 1 && !arg.startsWith('-') ? path.resolve(arg) : arg));
}

/** --password-stdin: the password comes from standard input, never from the command line. */
function passwordFromStdin(argv: string[]): string[] {
  const at = argv.indexOf('--password-stdin');
  if (at === -1) return argv;
  const password = fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  return [...argv.slice(0, at), '--password', password, ...argv.slice(at + 1)];
}

async function forward(dataDir: string, argv: string[]): Promise<number> {
  const outcome = await sendCommand(dataDir, argv);
  outcome.stdout.forEach(terminalIo.out);
  outcome.stderr.forEach(terminalIo.err);
  return outcome.code;
}

async function main(rawArgv: string[]): Promise<number> {
  const help = helpFor(rawArgv);
  if (help) {
    terminalIo.out(help);
    return 0;
  }
  const argv = absoluteFile(passwordFromStdin(rawArgv));
  try {
    parseCommand(argv, { applied: [] }); // argument mistakes end here, before the database opens
  } catch (error) {
    return reportFailure(error, terminalIo);
  }
  const config = loadConfig();
  process.umask(0o077); // the database files it may create are private to its user
  if (!config.databaseUrl && currentHolder(config.dataDir)?.role === 'server') return forward(config.dataDir, argv);

  const [{ boot }, { createCommandServices }, { createLogger }, pino] = await Promise.all([
    import('../boot.ts'), import('../command-services.ts'), import('../logger.ts'), import('pino'),
  ]);
  const log = createLogger('warn', pino.default.destination(2));
  let booted;
  try {
    booted = await boot({ config, role: 'cli', log, build: createCommandServices });
  } catch (error) {
    // The server started between our look and our open: let it run the command.
    if (error instanceof DataDirBusyError && error.holder.role === 'server') return forward(config.dataDir, argv);
    throw error;
  }
  const { services, applied } = booted;
  try {
    await execute(parseCommand(argv, { applied }), services, terminalIo);
    return 0;
  } catch (error) {
    return reportFailure(error, terminalIo);
  } finally {
    await services.db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    const message = error instanceof ConfigError || error instanceof DataDirBusyError ? error.message : (error as Error).stack ?? String(error);
    process.stderr.write(`latchkey: ${message}\n`);
    process.exitCode = 1;
  },
);
