// Structured JSON logs (pino), one object per line. Credentials never reach a log line:
// request logs carry no query strings or bodies, these fields are redacted wherever they
// appear, and database errors lose the parameter values they carry (token digests, payloads).
import pino, { type Logger } from 'pino';

const QUERY_VALUES = new Set(['params', 'parameters', 'bindings', 'queryOptions']);

function withoutQueryValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutQueryValues);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !QUERY_VALUES.has(key)).map(([key, inner]) => [key, withoutQueryValues(inner)]));
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'latchkey' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: (error: Error) => withoutQueryValues(pino.stdSerializers.err(error)) },
    redact: {
      paths: ['password', '*.password', 'secret', '*.secret', 'client_secret', '*.client_secret', 'authorization', '*.authorization', 'cookie', '*.cookie', 'headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  }, destination);
}
