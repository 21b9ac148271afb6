// What Latchkey counts for Prometheus (prom-client): requests by route, method and status with
// their durations, sign-ins by method and result, tokens by grant type, throttle blocks, the
// mail outbox, the database pool, and the process itself (event-loop lag, memory, CPU). Served on
// a listener of its own (METRICS_ADDRESS), never on the public port.
import client from 'prom-client';

export type SignInMethod = 'password' | 'email_code' | 'passkey';
export type SignInResult = 'success' | 'failure' | 'blocked';

export interface MetricSources {
  /** Mails waiting to be sent, and how long the oldest has waited (seconds). */
  mailOutbox(): Promise<{ pending: number; oldestAgeSeconds: number }>;
  /** Database connections in use and requests waiting for one. */
  databasePool(): { inUse: number; waiting: number };
}

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const requests = new client.Counter({ name: 'latchkey_http_requests_total', help: 'HTTP requests answered', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const durations = new client.Histogram({
    name: 'latchkey_http_request_duration_seconds', help: 'Time to answer an HTTP request', labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  const signIns = new client.Counter({ name: 'latchkey_sign_ins_total', help: 'First-factor sign-in attempts by method and result', labelNames: ['method', 'result'], registers: [registry] });
  const tokens = new client.Counter({ name: 'latchkey_tokens_issued_total', help: 'Token endpoint grants that issued tokens, by grant type', labelNames: ['grant_type'], registers: [registry] });
  const blocks = new client.Counter({ name: 'latchkey_throttle_blocks_total', help: 'Requests refused by a throttle or rate limit, by what was limited', labelNames: ['limit'], registers: [registry] });

  // Each request's series, bound once: prom-client hashes a label object on every call otherwise.
  // Routes are patterns, methods the few Node's parser accepts, statuses few: the map stays small.
  const requestSeries = new Map<string, { count: client.Counter.Internal; duration: client.Histogram.Internal<string> }>();

  return {
    registry,
    request({ route, method, status }: { route: string; method: string; status: number }, seconds: number) {
      const key = `${route} ${method} ${status}`;
      let series = requestSeries.get(key);
      if (!series) {
        const values = { route, method, status: String(status) };
        series = { count: requests.labels(values), duration: durations.labels(values) };
        requestSeries.set(key, series);
      }
      series.count.inc();
      series.duration.observe(seconds);
    },
    /** The sign-in attempt's outcome, counted as it settles: success, blocked (429) or failure. */
    async countSignIn<T>(method: SignInMethod, attempt: Promise<T>): Promise<T> {
      try {
        const result = await attempt;
        signIns.inc({ method, result: 'success' satisfies SignInResult });
        return result;
      } catch (error) {
        signIns.inc({ method, result: ((error as { status?: number }).status === 429 ? 'blocked' : 'failure') satisfies SignInResult });
        throw error;
      }
    },
    tokenIssued: (grantType: string) => tokens.inc({ grant_type: grantType }),
    /** A refusal by a throttle key: counted by what it limits ("signin", "mfa", "mail", "rate:auth" …). */
    blocked: (key: string) => blocks.inc({ limit: key.split(':').slice(0, key.startsWith('rate:') ? 2 : 1).join(':') }),

    /** Gauges read when Prometheus scrapes. */
    observe(sources: MetricSources) {
      new client.Gauge({
        name: 'latchkey_mail_outbox_pending', help: 'Mails queued and not yet sent or given up', registers: [registry],
        async collect() { this.set((await sources.mailOutbox()).pending); },
      });
      new client.Gauge({
        name: 'latchkey_mail_outbox_oldest_age_seconds', help: 'How long the oldest queued mail has waited', registers: [registry],
        async collect() { this.set((await sources.mailOutbox()).oldestAgeSeconds); },
      });
      new client.Gauge({ name: 'latchkey_db_pool_in_use', help: 'Database connections in use', registers: [registry], collect() { this.set(sources.databasePool().inUse); } });
      new client.Gauge({ name: 'latchkey_db_pool_waiting', help: 'Requests waiting for a database connection', registers: [registry], collect() { this.set(sources.databasePool().waiting); } });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
