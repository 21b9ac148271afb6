// With the embedded database, the running server owns DATA_DIR; the CLI hands it its command
// line over a Unix socket in DATA_DIR (owner-only) and prints what comes back.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface CommandOutcome {
  code: number;
  stdout: string[];
  stderr: string[];
}

const MAX_REQUEST_BYTES = 1024 * 1024;

export const controlSocketPath = (dataDir: string) => path.join(dataDir, 'latchkey.sock');

export async function listenForCommands(dataDir: string, run: (argv: string[]) => Promise<CommandOutcome>): Promise<net.Server> {
  const file = controlSocketPath(dataDir);
  fs.rmSync(file, { force: true }); // left by a process that died; we hold the data dir lock
  const server = net.createServer((socket) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length > MAX_REQUEST_BYTES) socket.destroy();
      const newline = received.indexOf('\n');
      if (newline === -1) return;
      socket.removeAllListeners('data');
      let argv: unknown;
      try {
        argv = (JSON.parse(received.slice(0, newline)) as { argv?: unknown }).argv;
      } catch {
        argv = undefined;
      }
      const outcome = Array.isArray(argv) && argv.every((arg) => typeof arg === 'string')
        ? run(argv)
        : Promise.resolve({ code: 2, stdout: [], stderr: ['latchkey: malformed request'] });
      outcome
        .catch((error: unknown) => ({ code: 1, stdout: [], stderr: [`latchkey: the server failed to run the command: ${(error as Error).message}`] }))
        .then((result) => socket.end(`${JSON.stringify(result)}\n`));
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  fs.chmodSync(file, 0o600);
  return server;
}

/** Sends argv to the server; waits up to waitMs for it to start listening. */
export async function sendCommand(dataDir: string, argv: string[], waitMs = 30_000): Promise<CommandOutcome> {
  const file = controlSocketPath(dataDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await new Promise<CommandOutcome>((resolve, reject) => {
        const socket = net.createConnection(file);
        let received = '';
        socket.setEncoding('utf8');
        socket.on('connect', () => socket.write(`${JSON.stringify({ argv })}\n`));
        socket.on('data', (chunk: string) => { received += chunk; });
        socket.on('end', () => {
          try {
            resolve(JSON.parse(received) as CommandOutcome);
          } catch {
            reject(new Error('the server closed the connection without an answer'));
          }
        });
        socket.on('error', reject);
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200)); // the server is still starting
    }
  }
}
