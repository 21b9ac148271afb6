// The main thread's handle on PGlite running in its own thread (embedded-worker.ts). Each
// session offers what knex-pglite asks of a PGlite instance (waitReady, query), so knex's pool
// hands out sessions while every statement runs off the event loop.
import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './embedded-worker.ts';

type Pending = { resolve(value: unknown): void; reject(error: Error): void };
type Distributive<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface EmbeddedSession {
  waitReady: Promise<void>;
  query(sql: string, bindings?: unknown[], options?: object): Promise<unknown>;
}

export interface EmbeddedDatabase {
  waitReady: Promise<void>;
  /** A session for knex's pool: its transactions are isolated from the other sessions' statements. */
  session(): EmbeddedSession;
  /** Writes the database's files, gzipped, to `file`: an image another one can start from. */
  dumpImage(file: string): Promise<void>;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** A Postgres error back as an Error with its fields, as PGlite would have thrown it. */
function rebuild(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message)), fields);
}

export function openEmbeddedDatabase(dataDir: string | undefined, image?: string): EmbeddedDatabase {
  const worker = new Worker(new URL('./embedded-worker.ts', import.meta.url), { workerData: { dataDir, image } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextSession = 1;
  let closed = false;

  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', () => {
    closed = true;
    failAll(new Error('the embedded database thread stopped'));
  });

  const waitReady = new Promise<void>((resolve, reject) => {
    worker.once('message', (message: { ready: boolean; error?: Record<string, unknown> }) => {
      if (message.ready) resolve();
      else reject(rebuild(message.error ?? {}));
      worker.on('message', (reply: WorkerReply) => {
        const waiting = pending.get(reply.id);
        if (!waiting) return;
        pending.delete(reply.id);
        if ('error' in reply) waiting.reject(rebuild(reply.error));
        else waiting.resolve(reply.result);
      });
    });
    worker.once('error', reject);
  });

  const send = (request: Distributive<WorkerRequest>) => new Promise<unknown>((resolve, reject) => {
    if (closed) return reject(new Error('the embedded database is closed'));
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...request, id });
  });

  return {
    waitReady,
    session() {
      const session = nextSession++;
      return { waitReady, query: (sql, bindings, options) => send({ kind: 'query', session, sql, bindings, options }) };
    },
    dumpImage: async (file) => { await send({ kind: 'dump', file }); },
    async close() {
      if (closed) return;
      await send({ kind: 'close' }).catch(() => undefined);
      closed = true;
      await worker.terminate();
    },
    get closed() { return closed; },
  };
}
