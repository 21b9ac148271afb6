// The embedded database admits one process at a time: whoever opens DATA_DIR holds
// DATA_DIR/latchkey.lock (pid and role); a lock left by a dead process is taken over.
import fs from 'node:fs';
import path from 'node:path';
import { preparePrivateDirectory } from '../config/data-dir.ts';

export type LockRole = 'server' | 'cli';

export interface LockHolder {
  pid: number;
  role: LockRole;
}

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
  readonly holder: LockHolder;
  constructor(holder: LockHolder, dataDir: string) {
    super(`the embedded database in ${dataDir} is in use by ${holder.role === 'server' ? 'a running server' : 'another latchkey command'} (pid ${holder.pid})`);
    this.holder = holder;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseHolder(content: string | undefined): LockHolder | undefined {
  try {
    const holder = JSON.parse(content ?? '') as LockHolder;
    return Number.isInteger(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

const readHolder = (file: string) => parseHolder(readLock(file));

export function lockFile(dataDir: string): string {
  return path.join(dataDir, 'latchkey.lock');
}

/** The live process holding the lock, if any. */
export function currentHolder(dataDir: string): LockHolder | undefined {
  const holder = readHolder(lockFile(dataDir));
  return holder && isAlive(holder.pid) ? holder : undefined;
}

export function acquireDataDirLock(dataDir: string, role: LockRole): { release(): void } {
  preparePrivateDirectory(dataDir);
  const file = lockFile(dataDir);
  const mine = JSON.stringify({ pid: process.pid, role });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      return {
        release() {
          if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const content = readLock(file);
      const holder = parseHolder(content);
      if (holder && isAlive(holder.pid)) throw new DataDirBusyError(holder, dataDir);
      // Its process is gone. Remove it only if it is still that same stale lock (another process
      // starting now may have just replaced it with its own).
      if (content !== undefined && readLock(file) === content) fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${file}`);
}
