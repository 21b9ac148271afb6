// Server entry: config → database → migrations → services → HTTP, and a graceful shutdown
// on SIGTERM/SIGINT (stop accepting, finish requests in flight, close the database).
import http from 'node:http';
import type net from 'node:net';
import { createApp } from './app.ts';
import { boot } from './boot.ts';
import { startMetricsListener } from './routes/metrics-listener.ts';
import { createServices } from './services.ts';
import { bufferIo } from './cli/io.ts';
import { listenForCommands } from './cli/control-socket.ts';
import { runCommand } from './cli/run-command.ts';
import { ConfigError, configWarnings, loadConfig, type Config } from './config/env.ts';
import pino from 'pino';
import { createLogger } from './logger.ts';

const SHUTDOWN_GRACE_MS = 10_000;

async function start() {
  process.umask(0o077); // everything Latchkey writes (database files, secret, socket) is private to its user
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`latchkey: ${error.message}\n`);
    process.exit(1);
  }
  // Log lines are written in the background, several at a time: a write per line (synchronous,
  // or even handed to a thread) cost a quarter of answering a token request. Lines wait at most
  // a quarter of a second, and whatever is still buffered is written out when the process exits.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 });
  process.on('exit', () => destination.flushSync());
  const log = createLogger(config.logLevel, destination);
  for (const warning of configWarnings(config)) log.warn(warning);

  const { services } = await boot({ config, role: 'server', log, build: createServices });
  const app = createApp(services);
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // longer than common load balancer idle timeouts
  await new Promise<void>((resolve) => server.listen(config.port, resolve));

  let control: net.Server | undefined;
  if (!config.databaseUrl) {
    control = await listenForCommands(config.dataDir, async (argv) => {
      const io = bufferIo();
      const code = await runCommand(argv, services, io, { applied: [] });
      log.info({ command: argv.slice(0, 2).join(' '), code }, 'ran CLI command');
      return { code, stdout: io.stdout, stderr: io.stderr };
    });
  }
  const metricsListener = config.metricsAddress ? await startMetricsListener(services.metrics, config.metricsAddress) : undefined;
  if (metricsListener) log.info({ metrics: metricsListener.url }, 'Prometheus metrics served');
  services.housekeeping.start();
  services.mail.startWorker();
  services.backchannelLogouts.startWorker();
  log.info({ issuer: config.issuer, port: config.port, database: services.db.engine }, `Latchkey is listening on ${config.issuer}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    services.lifecycle.draining = true;
    services.housekeeping.stop();
    services.provider.stop();
    control?.close();
    await metricsListener?.close();
    const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    forced.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await services.mail.stopWorker(); // after the last request could queue mail, before the database closes
    await services.backchannelLogouts.stopWorker();
    await services.db.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

start().catch((error: unknown) => {
  process.stderr.write(`latchkey: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
