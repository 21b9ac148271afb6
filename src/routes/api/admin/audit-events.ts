// /audit-events: the audit log, newest first, filtered.
import { z } from 'zod';
import { isAuditEventType } from '../../../libraries/audit/events.ts';
import { defineRoute } from './define-route.ts';
import { auditEventSchema, page, pageQuery, timestamp } from './schemas.ts';

const time = timestamp.refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time').transform((value) => new Date(value));

export const auditRoutes = [
  defineRoute({
    method: 'get', path: '/audit-events', operationId: 'listAuditEvents', tag: 'Audit log', need: 'admin:read',
    summary: 'Audit events, newest first',
    query: z.object({
      type: z.string().max(1000).optional().describe('Event types, comma-separated (README lists them)')
        .refine((value) => value === undefined || value.split(',').every(isAuditEventType), 'must be known event types, comma-separated'),
      actor: z.string().max(200).optional().describe('The id of the account, client or API token that acted'),
      subject: z.string().uuid().optional().describe('The account the events are about'),
      client: z.string().max(200).optional().describe('The application involved'),
      since: time.optional().describe('From this time on (inclusive)'),
      until: time.optional().describe('Before this time'),
      limit: pageQuery.limit,
      cursor: z.string().regex(/^\d{1,19}$/, 'must be next_cursor of the previous page').optional(),
    }),
    responses: { 200: { description: 'A page of events', schema: page(auditEventSchema) } },
    async handle({ query, services }) {
      const { events, next } = await services.audit.list({
        types: query.type?.split(','), actorId: query.actor, subjectId: query.subject, clientId: query.client,
        since: query.since, until: query.until, beforeId: query.cursor, limit: query.limit ?? 50,
      });
      return { status: 200, body: { data: events, next_cursor: next ?? null } };
    },
  }),
];
