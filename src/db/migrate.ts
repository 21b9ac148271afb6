// Applies the migrations in migrations/. Several processes may start at once on one
// Postgres: knex's migration lock lets one through, the others wait for it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

export const migrationsDirectory = path.resolve(import.meta.dirname, '../../migrations');

// Migrations are TypeScript modules loaded with this module's import(), so they load under
// whatever runs the app (Node.js itself, vitest) without knex needing a loader of its own.
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => fs.readdirSync(migrationsDirectory).filter((file) => /^\d+_[\w-]+\.ts$/.test(file)).sort(),
  getMigrationName: (file) => file,
  getMigration: (file) => import(pathToFileURL(path.join(migrationsDirectory, file)).href),
};

/**
 * Whether every migration is applied already, found by reading alone: knex's migrator takes its
 * lock (a write) even when there is nothing to do, and on the embedded database a write costs a
 * checkpoint when the command closes it, seconds for a one-line command.
 */
async function upToDate(knex: Knex): Promise<boolean> {
  const files = await migrationSource.getMigrations([]);
  try {
    const applied = new Set((await knex('knex_migrations').select('name') as Array<{ name: string }>).map((row) => row.name));
    return files.every((file) => applied.has(file));
  } catch {
    return false; // a new database: no migrations table yet
  }
}

/** Returns the names of the migrations it applied. */
export async function migrateToLatest(knex: Knex, { waitMs = 60_000 } = {}): Promise<string[]> {
  if (await upToDate(knex)) return [];
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
      return applied;
    } catch (error) {
      if ((error as Error).name !== 'MigrationLocked' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
