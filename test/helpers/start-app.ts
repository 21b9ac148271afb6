// Starts a whole Latchkey (services, Koa app, oidc-provider) on a free port of this machine,
// on its own fresh database, with its log lines captured for inspection.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.ts';
import { bufferIo } from '../../src/cli/io.ts';
import { runCommand } from '../../src/cli/run-command.ts';
import { loadConfig, type Environment } from '../../src/config/env.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type DatabaseLocation } from '../../src/db/open-database.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services.ts';
import { createTestDatabase } from './test-database.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-latchkey';

export interface TestApp {
  url: string;
  services: Services;
  logs: Array<Record<string, unknown>>;
  /** Runs a CLI command line against this app's services, as the CLI would. */
  cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Environment;
  /** Reuse a database (to restart on the same data, or to run a second process on it). */
  location?: DatabaseLocation;
}

export async function startApp({ env = {}, location }: StartOptions = {}): Promise<TestApp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;

  const database = location ? undefined : await createTestDatabase();
  const config = loadConfig({ PORT: String(port), ISSUER: url, LATCHKEY_SECRET: TEST_SECRET, LOG_LEVEL: 'info', DATA_DIR: '/nonexistent', ...env });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger(config.logLevel, sink);
  const db = await openDatabase(location ?? database!.location);
  await migrateToLatest(db.knex);
  const services = await createServices({ config, secret: config.secret!, db, log });
  server.on('request', createApp(services));
  services.mail.startWorker();
  services.backchannelLogouts.startWorker();

  return {
    url,
    services,
    logs,
    async cli(...argv) {
      const io = bufferIo();
      const code = await runCommand(argv, services, io, { applied: [] });
      return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
    },
    async close() {
      services.provider.stop();
      await services.mail.stopWorker();
      await services.backchannelLogouts.stopWorker();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await db.close();
      await database?.drop();
    },
  };
}
