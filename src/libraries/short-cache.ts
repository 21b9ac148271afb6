// A small in-process cache for what every request reads and rarely changes (clients and their
// unsealed secrets): entries live a short, fixed time, so a change made by another process
// (the CLI, another server) is seen within that time; a change made here is seen at once.
export interface ShortCache<T> {
  /** The cached value, or `load`'s (concurrent callers share one load). */
  get(key: string, load: () => Promise<T>): Promise<T>;
  delete(key: string): void;
}

export function createShortCache<T>({ ttlMs, maxEntries }: { ttlMs: number; maxEntries: number }): ShortCache<T> {
  const entries = new Map<string, { value: Promise<T>; expiresAt: number }>();
  return {
    get(key, load) {
      const now = Date.now();
      const entry = entries.get(key);
      if (entry && entry.expiresAt > now) return entry.value;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!); // the oldest
      const value = load();
      entries.set(key, { value, expiresAt: now + ttlMs });
      value.catch(() => entries.delete(key)); // a failed load is not remembered
      return value;
    },
    delete: (key) => { entries.delete(key); },
  };
}
