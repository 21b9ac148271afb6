// Once per test run, on the embedded engine: a migrated in-memory database, dumped to an image
// that every test app's database starts from (initdb in WebAssembly takes seconds; a copy does not).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated embedded database image, unless the tests run on Postgres. */
    embeddedImage: string | undefined;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('embeddedImage', undefined);
    return;
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-image-'));
  const image = path.join(directory, 'migrated.tar.gz');
  const db = await openDatabase({ inMemory: true });
  await migrateToLatest(db.knex);
  await db.dumpImage!(image);
  await db.close();
  project.provide('embeddedImage', image);
  return () => fs.rmSync(directory, { recursive: true, force: true });
}
