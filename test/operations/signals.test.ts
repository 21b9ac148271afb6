// npm start stops when told to: SIGTERM sent to npm (as a service manager or `kill` does)
// reaches the server itself, which shuts down gracefully, leaving no process behind.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentHolder } from '../../src/db/data-dir-lock.ts';
import { freePort, projectRoot } from '../helpers/processes.ts';
import { TEST_SECRET } from '../helpers/start-app.ts';
import { onPostgres } from '../helpers/test-database.ts';

describe('npm start', () => {
  it.skipIf(onPostgres)('stops on SIGTERM sent to npm, and no server is left running', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-signals-'));
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: String(port), LATCHKEY_SECRET: TEST_SECRET, METRICS_ADDRESS: '127.0.0.1:0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => { output += chunk; });
    npm.stderr.on('data', (chunk: Buffer) => { output += chunk; });
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
        if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`did not start: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      npm.kill('SIGTERM');
      expect(await exited).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(output).toContain('"msg":"stopped"');
      expect(await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'answering', () => 'gone')).toBe('gone');
      expect(currentHolder(dataDir)).toBeUndefined(); // nothing holds the embedded database any more
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
