import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';

describe('logger', () => {
  it('keeps the statement of a failed query but not the values it carried', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } });
    const failure = Object.assign(new Error('invalid byte sequence'), {
      query: 'select payload from oidc_payloads where id = $1',
      params: ['RefreshToken', 'a-refresh-token-value'],
      cause: Object.assign(new Error('inner'), { parameters: ['another-secret'] }),
    });
    createLogger('info', sink).error({ err: failure, password: 'hunter2' }, 'request failed');
    const line = JSON.parse(lines[0]!);
    expect(line.err.query).toBe('select payload from oidc_payloads where id = $1');
    expect(line.password).toBe('[redacted]');
    for (const secret of ['a-refresh-token-value', 'another-secret', 'hunter2']) expect(lines[0]).not.toContain(secret);
  });
});
