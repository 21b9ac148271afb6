// The admin API's OpenAPI 3.1 document, generated from the routes' own zod schemas (zod's JSON
// Schema output is draft 2020-12, which OpenAPI 3.1 uses as is).
import { z } from 'zod';
import { problemSchema } from '../problem-details.ts';
import type { ApiRoute } from './define-route.ts';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

function parameters(schema: z.ZodObject<z.ZodRawShape> | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...shape } = property;
    return { name, in: where, required: where === 'path' || required.includes(name), ...(description ? { description } : {}), schema: shape };
  });
}

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

export function buildOpenApiDocument(routes: ApiRoute[], { issuer, version }: { issuer: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, { description, schema }] of Object.entries(route.responses)) {
      responses[status] = schema ? { description, content: { 'application/json': { schema: jsonSchema(schema, 'output') } } } : { description };
    }
    if (route.params || route.query || route.body) responses['400'] = problemResponse('The request is not valid (each mistake is listed in errors).');
    responses['401'] = problemResponse('No bearer token, or not a valid one.');
    responses['403'] = problemResponse(`The token lacks the ${route.need} scope.`);
    if (route.params) responses['404'] ??= problemResponse('No such resource.');
    for (const [status, description] of Object.entries(route.problems ?? {})) responses[status] = problemResponse(description);
    responses['429'] = problemResponse('Too many calls with this token (Retry-After says when to try again).');
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      security: [{ bearer: [route.need] }],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey admin API',
      version,
      description: 'Manage the people, applications, keys and audit log of a Latchkey identity provider. '
        + 'Authenticate with an API token (latchkey api-tokens create) or a client_credentials access token of a machine client, '
        + 'as Authorization: Bearer. Scopes: admin (everything), admin:read (reads only).',
    },
    servers: [{ url: `${issuer}/api/admin/v1` }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (lkat_…) or a client_credentials access token.' } },
      schemas: { Problem: jsonSchema(problemSchema, 'output') },
    },
    paths,
  };
}
