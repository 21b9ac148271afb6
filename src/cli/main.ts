// The `latchkey` command. Runs against the configured database; with the embedded database
// and a server running, the server runs the command instead (PGlite admits one process).
import fs from 'node:fs';
import pino from 'pino';
import { boot } from '../boot.ts';
import { ConfigError, loadConfig } from '../config/env.ts';
import { currentHolder, DataDirBusyError } from '../db/data-dir-lock.ts';
import { createLogger } from '../logger.ts';
import { sendCommand } from './control-socket.ts';
import { terminalIo } from './io.ts';
import { helpFor, runCommand } from './run-command.ts';

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
  const argv = passwordFromStdin(rawArgv);
  const config = loadConfig();
  if (!config.databaseUrl && currentHolder(config.dataDir)?.role === 'server') return forward(config.dataDir, argv);

  const log = createLogger('warn', pino.destination(2));
  let booted;
  try {
    booted = await boot({ config, role: 'cli', log });
  } catch (error) {
    // The server started between our look and our open: let it run the command.
    if (error instanceof DataDirBusyError && error.holder.role === 'server') return forward(config.dataDir, argv);
    throw error;
  }
  const { services, applied } = booted;
  try {
    return await runCommand(argv, services, terminalIo, { applied });
  } finally {
    services.provider.stop();
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
