// Tells every process of one database what another changed, so that what each caches (clients
// with their secrets, signing keys) is dropped at once: Postgres LISTEN/NOTIFY on one channel.
// A notice can be missed while the listening connection is down; then `live` is false, callers
// fall back to a short staleness, and everything cached is dropped when it is back.
import pg from 'pg';

/** The one channel; a notice's payload is "topic:key". */
export const CHANGES_CHANNEL = 'latchkey_changes';
const RECONNECT_MS = 1000;
/** The listening connection's name in pg_stat_activity. */
export const LISTENER_NAME = 'latchkey-change-notices';

export interface ChangeNotices {
  /** True while notices arrive (always for the embedded database, which one process owns). */
  readonly live: boolean;
  /** onChange(key) for each notice of the topic; onMissed() when notices may have been lost. */
  subscribe(topic: string, onChange: (key: string) => void, onMissed: () => void): void;
  /** Starts listening (a server does; a CLI command, which caches nothing for long, does not). */
  listen(onError: (error: Error) => void): Promise<void>;
  close(): Promise<void>;
}

interface Subscriber {
  topic: string;
  onChange(key: string): void;
  onMissed(): void;
}

export function embeddedChangeNotices(): ChangeNotices {
  // Every change goes through the one process that holds the database, which drops its own caches.
  return { live: true, subscribe() {}, listen: async () => {}, close: async () => {} };
}

export function postgresChangeNotices(databaseUrl: string): ChangeNotices {
  const subscribers: Subscriber[] = [];
  let client: pg.Client | undefined;
  let live = false;
  let closing = false;
  let retry: NodeJS.Timeout | undefined;
  let onError: (error: Error) => void = () => {};

  const missed = () => { for (const subscriber of subscribers) subscriber.onMissed(); };

  function deliver(payload: string | undefined) {
    const split = payload?.indexOf(':') ?? -1;
    if (split < 0) return;
    const topic = payload!.slice(0, split);
    const key = payload!.slice(split + 1);
    for (const subscriber of subscribers) if (subscriber.topic === topic) subscriber.onChange(key);
  }

  function lost(error?: Error) {
    if (error) onError(error);
    live = false;
    client?.removeAllListeners();
    client?.end().catch(() => undefined);
    client = undefined;
    missed();
    if (!closing) retry ??= setTimeout(() => { retry = undefined; void connect(); }, RECONNECT_MS);
  }

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: databaseUrl, application_name: LISTENER_NAME });
    next.on('notification', (message) => { if (message.channel === CHANGES_CHANNEL) deliver(message.payload); });
    next.on('error', (error) => { if (client === next) lost(error); });
    next.on('end', () => { if (client === next) lost(); });
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${CHANGES_CHANNEL}`);
      if (client !== next) return;
      missed(); // what was cached while no notice could arrive may be stale
      live = true;
    } catch (error) {
      if (client === next) lost(error as Error);
    }
  }

  return {
    get live() { return live; },
    subscribe(topic, onChange, onMissed) { subscribers.push({ topic, onChange, onMissed }); },
    async listen(reportError) {
      onError = reportError;
      if (!client && !closing) await connect();
    },
    async close() {
      closing = true;
      clearTimeout(retry);
      live = false;
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
