// SQL for readiness: is the database answering?
import type { Knex } from 'knex';

export function createHealthQueries(db: Knex) {
  return {
    async pingDatabase(): Promise<void> {
      await db.raw('select 1');
    },
  };
}
