// API tokens: bearer tokens for the admin API and SCIM, made by an admin with scopes (admin,
// admin:read, scim) and an expiry. The token is shown once; only its keyed hash is stored, so a
// copy of the database lets nobody call the APIs. Prefixed (lkat_) so secret scanners know it.
import crypto from 'node:crypto';
import { isMachineScope, MACHINE_SCOPES, type MachineScope } from '../config/scopes.ts';
import type { ApiTokenRow } from '../queries/api-tokens.ts';
import type { Queries } from '../queries/index.ts';
import { recordAudit } from './audit/audit-log.ts';
import { currentAuditContext } from './audit/context.ts';
import { assertThat, RequestError } from './errors.ts';
import type { SecretBox } from './secret-box.ts';

export const API_TOKEN_PREFIX = 'lkat_';
const TOKEN_SHAPE = /^lkat_[\w-]{43}$/;
/** Last use is written at most this often per token: not a write for every call. */
const TOUCH_EVERY_MS = 60_000;
const MAX_LIFETIME_SECONDS = 10 * 366 * 86_400;

export interface NewApiTokenInput {
  name: unknown;
  scopes: unknown;
  /** Seconds until it expires; null: never. */
  expiresInSeconds: number | null;
}

export function presentApiToken(row: ApiTokenRow, now = Date.now()) {
  const state = row.revoked_at ? 'revoked' : row.expires_at && row.expires_at.getTime() <= now ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    state,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
    last_used_at: row.last_used_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

export type PresentedApiToken = ReturnType<typeof presentApiToken>;

export interface ApiTokenCaller {
  id: string;
  name: string;
  scopes: MachineScope[];
}

export function createApiTokens({ queries, secretBox }: { queries: Queries; secretBox: SecretBox }) {
  const hash = (token: string) => secretBox.tag('api-token', token);

  return {
    /** Makes a token; the returned `token` is the only time it is seen. */
    async create(input: NewApiTokenInput): Promise<{ token: string; apiToken: PresentedApiToken }> {
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      assertThat(name.length > 0 && name.length <= 100 && !/\p{Cc}/u.test(name), 'invalid_name', 'The token name must be 1 to 100 characters, without control characters.');
      const scopes = Array.isArray(input.scopes) ? [...new Set(input.scopes as unknown[])] : [];
      assertThat(scopes.length > 0 && scopes.every((scope) => typeof scope === 'string' && isMachineScope(scope)), 'invalid_scope',
        `Give the token one or more scopes of ${MACHINE_SCOPES.join(', ')}.`);
      const { expiresInSeconds } = input;
      assertThat(expiresInSeconds === null || (Number.isInteger(expiresInSeconds) && expiresInSeconds > 0 && expiresInSeconds <= MAX_LIFETIME_SECONDS),
        'invalid_expiry', 'A token expires after at least a second and at most ten years (or never).');

      const token = `${API_TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
      const { actor } = currentAuditContext();
      const row = await queries.transaction(async (q) => {
        const inserted = await q.apiTokens.insertApiToken({
          id: crypto.randomUUID(),
          name,
          scopes: scopes as string[],
          token_hash: hash(token),
          created_by: actor ? ('id' in actor && actor.id ? `${actor.type}:${actor.id}` : actor.type) : 'system',
          expires_at: expiresInSeconds === null ? null : new Date(Date.now() + expiresInSeconds * 1000),
        });
        await recordAudit(q, { type: 'api_token.created', details: { api_token_id: inserted.id, name, scopes, expires_at: inserted.expires_at?.toISOString() ?? null } });
        return inserted;
      });
      return { token, apiToken: presentApiToken(row) };
    },

    list: async () => (await queries.apiTokens.listApiTokens()).map((row) => presentApiToken(row)),

    async revoke(id: string): Promise<void> {
      await queries.transaction(async (q) => {
        const row = /^[0-9a-f-]{36}$/i.test(id) ? await q.apiTokens.maybeFindApiToken(id) : undefined;
        if (!row) throw new RequestError('api_token_not_found', 404, `No API token ${id}.`);
        if (!(await q.apiTokens.revokeApiToken(id))) return; // revoked already: nothing changes
        await recordAudit(q, { type: 'api_token.revoked', details: { api_token_id: id, name: row.name } });
      });
    },

    /** The live token with this value, or undefined (not one of ours, revoked, expired). */
    async authenticate(token: string): Promise<ApiTokenCaller | undefined> {
      if (!TOKEN_SHAPE.test(token)) return undefined;
      const row = await queries.apiTokens.maybeFindLiveApiTokenByHash(hash(token));
      if (!row) return undefined;
      if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > TOUCH_EVERY_MS) await queries.apiTokens.touchApiToken(row.id);
      return { id: row.id, name: row.name, scopes: row.scopes.filter(isMachineScope) };
    },

    /** What introspection tells about a live token (RFC 7662), or undefined. */
    async introspect(token: string): Promise<Record<string, unknown> | undefined> {
      if (!TOKEN_SHAPE.test(token)) return undefined;
      const row = await queries.apiTokens.maybeFindLiveApiTokenByHash(hash(token));
      if (!row) return undefined;
      return {
        active: true,
        scope: row.scopes.join(' '),
        token_type: 'Bearer',
        jti: row.id,
        iat: Math.floor(row.created_at.getTime() / 1000),
        ...(row.expires_at ? { exp: Math.floor(row.expires_at.getTime() / 1000) } : {}),
      };
    },
  };
}

export type ApiTokens = ReturnType<typeof createApiTokens>;
