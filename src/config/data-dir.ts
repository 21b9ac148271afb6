// DATA_DIR holds the embedded database, the development secret and the CLI's socket: it is
// made private to Latchkey's user, whatever mode it was created with.
import fs from 'node:fs';

export function preparePrivateDirectory(directory: string): void {
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  if ((fs.statSync(directory).mode & 0o077) === 0) return;
  try {
    fs.chmodSync(directory, 0o700);
  } catch (error) {
    throw new Error(`${directory} is open to other users and cannot be made private: ${(error as Error).message}`);
  }
}
