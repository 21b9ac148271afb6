// Start-up shared by the server and the CLI: open the database (waiting briefly for a CLI
// command that holds the embedded one), apply migrations, and build the services each needs
// (the server's full set, or the CLI's command set).
import type { Logger } from 'pino';
import type { Config } from './config/env.ts';
import { resolveSecret } from './config/secret.ts';
import { DataDirBusyError, type LockRole } from './db/data-dir-lock.ts';
import { migrateToLatest } from './db/migrate.ts';
import { openDatabase, type Database } from './db/open-database.ts';

async function openWaitingForCli(config: Config, role: LockRole, waitMs: number): Promise<Database> {
  if (config.databaseUrl) return openDatabase({ databaseUrl: config.databaseUrl });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await openDatabase({ dataDir: config.dataDir, role });
    } catch (error) {
      if (!(error instanceof DataDirBusyError) || error.holder.role !== 'cli' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function boot<S>({ config, role, log, build }: {
  config: Config; role: LockRole; log: Logger;
  build: (options: { config: Config; secret: string; db: Database; log: Logger }) => S | Promise<S>;
}): Promise<{ services: S; applied: string[] }> {
  const db = await openWaitingForCli(config, role, 15_000);
  try {
    const applied = await migrateToLatest(db.knex);
    if (applied.length) log.info({ migrations: applied }, 'applied migrations');
    const warn = (message: string) => log.warn(message);
    const secret = resolveSecret(config, warn, role === 'server' ? warn : undefined);
    return { services: await build({ config, secret, db, log }), applied };
  } catch (error) {
    await db.close();
    throw error;
  }
}
