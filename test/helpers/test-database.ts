// A fresh database per test app: in-memory PGlite by default, or a new database on the
// Postgres server named by DATABASE_URL (created here, dropped on close).
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseLocation } from '../../src/db/open-database.ts';

export const onPostgres = Boolean(process.env.DATABASE_URL);

export interface TestDatabase {
  location: DatabaseLocation;
  /** Postgres URL of the database, when on Postgres. */
  url: string | undefined;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  // Embedded: from the migrated image the run made once (test/helpers/global-setup.ts).
  if (!onPostgres) return { location: { inMemory: true, image: inject('embeddedImage') }, url: undefined, drop: async () => {} };
  const name = `latchkey_test_${crypto.randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return {
    location: { databaseUrl: url.href },
    url: url.href,
    drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/**
 * A database that outlives one app, for restarts and for several processes: a data directory
 * for the embedded engine, or a fresh Postgres database.
 */
export async function createPersistentTestDatabase(): Promise<TestDatabase> {
  if (onPostgres) return createTestDatabase();
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-test-'));
  return {
    location: { dataDir, role: 'server' },
    url: undefined,
    drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}
