// /keys (signing keys: list, rotate) and /reports/signups (where sign-ups came from).
import { z } from 'zod';
import { defineRoute } from './define-route.ts';
import { timestamp } from './schemas.ts';

const keySchema = z.object({
  kid: z.string(), alg: z.string(),
  status: z.enum(['signing', 'next', 'retiring']).describe('signing: in use; next: published, signs from activates_at; retiring: published until what it signed expires'),
  created_at: timestamp, activates_at: timestamp, expires_at: timestamp.nullable(),
});

export const keyAndReportRoutes = [
  defineRoute({
    method: 'get', path: '/keys', operationId: 'listSigningKeys', tag: 'Signing keys', need: 'admin:read',
    summary: 'The published signing keys and their state',
    responses: { 200: { description: 'The keys', schema: z.object({ data: z.array(keySchema) }) } },
    async handle({ services }) {
      const keys = await services.signingKeys.listSigningKeys();
      return {
        status: 200,
        body: { data: keys.map((key) => ({ kid: key.kid, alg: key.alg, status: key.status, created_at: key.createdAt.toISOString(), activates_at: key.activatesAt.toISOString(), expires_at: key.expiresAt?.toISOString() ?? null })) },
      };
    },
  }),

  defineRoute({
    method: 'post', path: '/keys/rotate', operationId: 'rotateSigningKeys', tag: 'Signing keys', need: 'admin',
    summary: 'Publish new signing keys (RS256, ES256, EdDSA)',
    description: 'They sign after activate_in_seconds (default 300: time for every process and relying party to see them); the keys they replace stay published until their tokens expire.',
    body: z.object({ activate_in_seconds: z.number().int().min(0).max(7 * 86_400).optional() }).strict(),
    responses: { 200: { description: 'The new keys', schema: z.object({ kids: z.array(z.string()), activates_at: timestamp }) } },
    async handle({ body, services }) {
      const activateInSeconds = body.activate_in_seconds ?? 300;
      const kids = await services.signingKeys.rotateSigningKeys({ activateInSeconds });
      await services.keysChanged();
      return { status: 200, body: { kids, activates_at: new Date(Date.now() + activateInSeconds * 1000).toISOString() } };
    },
  }),

  defineRoute({
    method: 'get', path: '/reports/signups', operationId: 'signupReport', tag: 'Reports', need: 'admin:read',
    summary: 'Self-service sign-ups by source and application',
    description: 'What latchkey report signups shows: sign-ups (registration and mailed codes) since a time, by utm_source (else the referring site, else direct) and by application.',
    query: z.object({ since_days: z.string().regex(/^\d{1,4}$/, 'must be a whole number of days').transform(Number).pipe(z.number().int().min(1).max(3650)).optional().describe('How many days back (default 30)') }),
    responses: {
      200: {
        description: 'The counts',
        schema: z.object({
          since: timestamp, total: z.number().int(),
          by_source: z.array(z.object({ source: z.string(), count: z.number().int() })),
          by_client: z.array(z.object({ client_id: z.string().nullable(), name: z.string().nullable(), count: z.number().int() })),
        }),
      },
    },
    async handle({ query, services }) {
      const report = await services.signupReport(new Date(Date.now() - (query.since_days ?? 30) * 86_400_000));
      return {
        status: 200,
        body: {
          since: report.since, total: report.total,
          by_source: report.bySource,
          by_client: report.byClient.map((row) => ({ client_id: row.clientId, name: row.name, count: row.count })),
        },
      };
    },
  }),
];
