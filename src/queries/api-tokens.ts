// SQL for API tokens: stored by keyed hash, found only while live.
import type { Knex } from 'knex';

export interface ApiTokenRow {
  id: string;
  name: string;
  scopes: string[];
  token_hash: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export type NewApiToken = Pick<ApiTokenRow, 'id' | 'name' | 'scopes' | 'token_hash' | 'created_by' | 'expires_at'>;

export function createApiTokenQueries(db: Knex) {
  return {
    async insertApiToken(token: NewApiToken): Promise<ApiTokenRow> {
      const [row] = await db<ApiTokenRow>('api_tokens').insert({ ...token, scopes: db.raw('?::text[]', [token.scopes]) as never }).returning('*');
      return row!;
    },

    async listApiTokens(): Promise<ApiTokenRow[]> {
      return db<ApiTokenRow>('api_tokens').orderBy('created_at', 'desc');
    },

    async maybeFindApiToken(id: string): Promise<ApiTokenRow | undefined> {
      return db<ApiTokenRow>('api_tokens').where({ id }).first();
    },

    /** The live (not revoked, not expired) token with this hash. */
    async maybeFindLiveApiTokenByHash(tokenHash: string): Promise<ApiTokenRow | undefined> {
      return db<ApiTokenRow>('api_tokens').where({ token_hash: tokenHash }).whereNull('revoked_at')
        .andWhere((query) => query.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now())).first();
    },

    async touchApiToken(id: string): Promise<void> {
      await db('api_tokens').where({ id }).update({ last_used_at: db.fn.now() });
    },

    /** Revokes a live token; false when there is none with this id (or it was revoked already). */
    async revokeApiToken(id: string): Promise<boolean> {
      return (await db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() })) > 0;
    },
  };
}
