// Structured JSON logs (pino), one object per line. Credentials never reach a log line:
// request logs carry no query strings or bodies, and these fields are redacted wherever they appear.
import pino, { type Logger } from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'latchkey' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', '*.password', 'secret', '*.secret', 'client_secret', '*.client_secret', 'authorization', '*.authorization', 'cookie', '*.cookie', 'headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  }, destination);
}
