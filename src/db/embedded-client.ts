// knex-pglite's client, corrected: it names a response's command after knex's method, so a
// delete ("del") or increment ("counter") came back as the raw response instead of a row count.
import ClientPgLite from 'knex-pglite';

const COMMAND_OF_METHOD: Record<string, string> = { del: 'delete', counter: 'update' };

interface QueryObject {
  method?: string;
}

export class EmbeddedClient extends (ClientPgLite as unknown as new (config: object) => { processResponse(obj: QueryObject, runner: unknown): unknown }) {
  override processResponse(obj: QueryObject, runner: unknown): unknown {
    const method = obj.method && COMMAND_OF_METHOD[obj.method];
    return super.processResponse(method ? { ...obj, method } : obj, runner);
  }
}
