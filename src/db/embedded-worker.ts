// The embedded database's own thread: PGlite runs here so that its queries never block the
// event loop that serves requests. The main thread reaches it through embedded-connection.ts.
//
// PGlite has one Postgres session; knex's pool hands out several "sessions" that share it. The
// queue runs their statements back to back without waiting for the main thread, and while one
// of them is inside a transaction only its statements run, so transactions stay isolated.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite as PGliteType } from '@electric-sql/pglite';

const { PGlite } = createRequire(import.meta.url)('@electric-sql/pglite') as { PGlite: typeof PGliteType };

export type WorkerRequest =
  | { id: number; kind: 'query'; session: number; sql: string; bindings?: unknown[]; options?: object }
  | { id: number; kind: 'dump'; file: string }
  | { id: number; kind: 'close' };

export type WorkerReply =
  | { id: number; result: { rows: unknown[]; fields: unknown[]; affectedRows?: number } }
  | { id: number; error: Record<string, unknown> };

type QueryRequest = Extract<WorkerRequest, { kind: 'query' }>;

/** An error as plain data: its message and Postgres fields (code, detail, constraint…) cross the thread. */
function plainError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) if (typeof value !== 'object' || value === null) fields[key] = value;
  return { ...fields, name: error.name, message: error.message };
}

const { dataDir, image } = workerData as { dataDir?: string; image?: string };
// An image (a gzipped dump of another database's files) starts an in-memory database as that one
// was, without running initdb again: what tests start every app from.
const pglite = dataDir ? new PGlite(dataDir) : image ? new PGlite({ loadDataDir: new Blob([fs.readFileSync(image)]) }) : new PGlite();
const port = parentPort!;
const queue: QueryRequest[] = [];
/** The session whose transaction is open: until it ends, only its statements run. */
let owner: number | undefined;
let draining = false;

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    for (;;) {
      const index = owner === undefined ? (queue.length > 0 ? 0 : -1) : queue.findIndex((request) => request.session === owner);
      if (index < 0) return;
      const request = queue.splice(index, 1)[0]!;
      try {
        const { rows, fields, affectedRows } = await pglite.query(request.sql, request.bindings, request.options);
        port.postMessage({ id: request.id, result: { rows, fields, affectedRows } } satisfies WorkerReply);
      } catch (error) {
        port.postMessage({ id: request.id, error: plainError(error) } satisfies WorkerReply);
      }
      owner = pglite.isInTransaction() ? request.session : undefined;
    }
  } finally {
    draining = false;
  }
}

try {
  await pglite.waitReady;
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: plainError(error) });
}

port.on('message', async (request: WorkerRequest) => {
  if (request.kind === 'query') {
    queue.push(request);
    await drain();
    return;
  }
  if (request.kind === 'dump') {
    fs.writeFileSync(request.file, Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer()));
    port.postMessage({ id: request.id, result: { rows: [], fields: [] } } satisfies WorkerReply);
    return;
  }
  if (!pglite.closed) await pglite.close();
  port.postMessage({ id: request.id, result: { rows: [], fields: [] } } satisfies WorkerReply);
  port.close();
});
