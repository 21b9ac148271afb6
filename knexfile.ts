// For knex's own CLI against Postgres, e.g.
//   DATABASE_URL=postgres://… npx node node_modules/knex/bin/cli.js --knexfile knexfile.ts migrate:status
// Latchkey migrates by itself (at start, and with `latchkey migrate`); the embedded database
// is reached only through Latchkey, which holds it (PGlite admits one process).
import type { Knex } from 'knex';
import { loadConfig } from './src/config/env.ts';
import { migrationSource } from './src/db/migrate.ts';

const { databaseUrl } = loadConfig();
if (!databaseUrl) throw new Error('knexfile.ts serves Postgres only: set DATABASE_URL, or use `npx latchkey migrate` for the embedded database');

const config: Knex.Config = { client: 'pg', connection: databaseUrl, migrations: { migrationSource } };
export default config;
