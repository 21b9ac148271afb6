// Resolves LATCHKEY_SECRET: from the environment, or in development from DATA_DIR/secret,
// generated once on first use so that restarts keep decrypting what was encrypted before.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { preparePrivateDirectory } from './data-dir.ts';
import type { Config } from './env.ts';

/** `warn` hears of a secret generated now; `onReuse`, if given, of one generated earlier (the server says so at every start). */
export function resolveSecret(config: Config, warn: (message: string) => void, onReuse?: (message: string) => void): string {
  if (config.secret) return config.secret;
  const file = path.join(config.dataDir, 'secret');
  preparePrivateDirectory(config.dataDir);
  try {
    fs.writeFileSync(file, `${crypto.randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    warn(`LATCHKEY_SECRET is unset: generated a development secret in ${file}; set LATCHKEY_SECRET in production`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    onReuse?.(`LATCHKEY_SECRET is unset: using the development secret generated earlier in ${file}; set LATCHKEY_SECRET in production`);
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds fewer than 32 characters; delete it or set LATCHKEY_SECRET`);
  return secret;
}
