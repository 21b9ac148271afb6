// A small in-process cache for what every request reads and rarely changes (clients and their
// unsealed secrets). Entries live a bounded time, chosen when each is loaded: long while other
// processes' changes are announced (change-notices.ts), short when they may not be, so that a
// change made elsewhere is seen within that time; a change made here is seen at once.
export interface ShortCache<T> {
  /** The cached value, or `load`'s (concurrent callers share one load). */
  get(key: string, load: () => Promise<T>): Promise<T>;
  delete(key: string): void;
  clear(): void;
}

export function createShortCache<T>({ ttlMs, maxEntries }: { ttlMs: number | (() => number); maxEntries: number }): ShortCache<T> {
  const entries = new Map<string, { value: Promise<T>; expiresAt: number }>();
  const lifetime = typeof ttlMs === 'number' ? () => ttlMs : ttlMs;
  return {
    get(key, load) {
      const now = Date.now();
      const entry = entries.get(key);
      if (entry && entry.expiresAt > now) return entry.value;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!); // the oldest
      const value = load();
      const stored = { value, expiresAt: now + lifetime() };
      entries.set(key, stored);
      // A failed load is not remembered (unless a newer load has replaced it meanwhile).
      value.catch(() => { if (entries.get(key) === stored) entries.delete(key); });
      return value;
    },
    delete: (key) => { entries.delete(key); },
    clear: () => { entries.clear(); },
  };
}
