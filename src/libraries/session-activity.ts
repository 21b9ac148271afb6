// When each browser session was last active, for "active now" and "last seen": a request that
// carries a session marks it, at most once a minute per session (a write per request would cost
// every request a statement). Each process skips sessions it marked within the minute; the
// database skips those another process marked.
import type { Queries } from '../queries/index.ts';
import { createShortCache } from './short-cache.ts';
import { tokenDigest } from './token-digest.ts';

export const ACTIVITY_GRANULARITY_SECONDS = 60;
/** How recent a session's activity must be for its owner to count as active now. */
export const ACTIVE_NOW_SECONDS = 5 * 60;

export function createSessionActivity({ queries }: { queries: Queries }) {
  const marked = createShortCache<void>({ ttlMs: ACTIVITY_GRANULARITY_SECONDS * 1000, maxEntries: 50_000 });
  return {
    /** Marks the session whose cookie value this is (stored by its digest) as active now. */
    seen: (sessionCookie: string) => {
      const id = tokenDigest(sessionCookie);
      return marked.get(id, () => queries.oidcPayloads.touchSession(id, ACTIVITY_GRANULARITY_SECONDS));
    },
    /** The session stored under this digest was just saved, which marks it too: no need to mark it within the minute. */
    saved: (storedId: string) => void marked.get(storedId, () => Promise.resolve()),
  };
}

export type SessionActivity = ReturnType<typeof createSessionActivity>;

/** Whether a last activity at `at` counts as active now. */
export const isActiveNow = (at: Date | null | undefined, now = Date.now()) => Boolean(at && now - at.getTime() <= ACTIVE_NOW_SECONDS * 1000);
