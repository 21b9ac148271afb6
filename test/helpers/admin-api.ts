// Calls the admin API over HTTP as a program would, and checks every answer against the
// OpenAPI document the server publishes: the status must be one the operation lists, and the
// body must match that response's schema. Remembers which operations and statuses were seen.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import type { TestApp } from './start-app.ts';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: any;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

export async function openAdminApi(app: TestApp) {
  const response = await fetch(`${app.url}/api/admin/v1/openapi.json`);
  expect(response.status).toBe(200);
  const document = await response.json() as { paths: Record<string, Record<string, Operation['responses'] extends never ? never : { responses: Operation['responses'] }>> };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  ajv.addSchema(document, 'openapi');
  const operations: Operation[] = Object.entries(document.paths).flatMap(([template, methods]) => Object.entries(methods).map(([method, operation]) => ({
    method, template, responses: operation.responses,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
  })));
  const seen = new Set<string>();

  async function call(token: string | undefined, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${app.url}/api/admin/v1${path}`, { method: method.toUpperCase(), headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const answer: ApiAnswer = { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    const bare = path.split('?')[0]!;
    const operation = operations.find((op) => op.method === method.toLowerCase() && op.pattern.test(bare));
    if (operation) {
      const declared = operation.responses[String(answer.status)];
      expect(declared, `${method} ${operation.template} answered ${answer.status}, which the document does not list: ${text}`).toBeDefined();
      const [type, media] = Object.entries(declared!.content ?? {})[0] ?? [];
      if (media) {
        expect(response.headers.get('content-type')).toContain(type);
        const pointer = `openapi#/paths/${operation.template.replace(/\//g, '~1')}/${operation.method}/responses/${answer.status}/content/${type!.replace(/\//g, '~1')}/schema`;
        const validate = ajv.compile({ $ref: pointer });
        expect(validate(answer.body), `${method} ${operation.template} ${answer.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      } else {
        expect(text, `${method} ${operation.template} ${answer.status} has no body in the document`).toBe('');
      }
      seen.add(`${operation.method} ${operation.template} ${answer.status}`);
    }
    return answer;
  }

  return { document, call, seen, operations };
}

/** An API token with these scopes, made as an administrator would (latchkey api-tokens create). */
export async function makeApiToken(app: TestApp, ...scopes: string[]): Promise<string> {
  const made = await app.cli('api-tokens', 'create', '--name', `test ${scopes.join(' ')}`, ...scopes.flatMap((scope) => ['--scope', scope]), '--json');
  expect(made.code, made.stderr).toBe(0);
  return (JSON.parse(made.stdout) as { token: string }).token;
}
