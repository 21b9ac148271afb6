// Throttling of what can be guessed at (passwords, codes) and of what costs (mails, sign-ups),
// in the database every process shares; blocks escalate but are always temporary. A guess runs
// while no other guess at the same account does (a lock per key, taken in one order, so nothing
// deadlocks) and counts only if it was wrong: concurrent right answers all pass, and a burst of
// wrong ones waits its turn and gets no more tries than the limit. Keys many people share (an
// IP address) are counted, never waited for. Rows are reset on success, never deleted.
import type { LockKeys } from '../db/key-locks.ts';
import type { Queries } from '../queries/index.ts';
import type { ThrottleRule } from '../queries/throttles.ts';
import { RequestError } from './errors.ts';
import { createShortCache } from './short-cache.ts';

export interface ThrottleSubject {
  key: string;
  rule: ThrottleRule;
  /** A key many people share (an IP address): counted, but guesses do not wait for each other on it. */
  shared?: boolean;
}

/** At most `limit` requests per fixed window of `windowSeconds`; 0 means no limit. */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

function wait(until: Date): { seconds: number; words: string } {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return { seconds, words: seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes` };
}

function tooManyAttempts(until: Date): RequestError {
  const { seconds, words } = wait(until);
  return new RequestError('too_many_attempts', 429, `Too many attempts. Try again in ${words}.`, { retryAfter: seconds });
}

function tooManyRequests(until: Date): RequestError {
  const { seconds, words } = wait(until);
  return new RequestError('too_many_requests', 429, `Too many requests from your network. Try again in ${words}.`, { retryAfter: seconds });
}

/** Postgres gave up on a statement because of another transaction (deadlock, serialization failure): trying again is safe. */
const CONTENTION = new Set(['40P01', '40001']);
async function retryingContention<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (attempt >= 3 || !CONTENTION.has((error as { code?: string }).code ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}

/** How long a process trusts what it read of a key's block, for checks on every request of an endpoint. */
export const BLOCK_VIEW_MS = 1000;

export function createThrottle({ queries, lockKeys, onBlocked = () => {} }: {
  queries: Queries; lockKeys: LockKeys;
  /** Told of each refusal, with the key that refused (for metrics). */
  onBlocked?: (key: string) => void;
}) {
  const keysOf = (subjects: ThrottleSubject[]) => [...new Set(subjects.map((subject) => subject.key))].sort();
  const blockView = createShortCache<Date | undefined>({ ttlMs: BLOCK_VIEW_MS, maxEntries: 10_000 });

  /** Throws too_many_attempts while a subject is blocked; says whether any counts failures. */
  async function assertNotBlocked(subjects: ThrottleSubject[]): Promise<{ counting: boolean }> {
    const { blockedUntil, counting } = await retryingContention(() => queries.throttles.findThrottleState(keysOf(subjects)));
    if (blockedUntil) {
      onBlocked(subjects[0]!.key);
      throw tooManyAttempts(blockedUntil);
    }
    return { counting };
  }

  async function recordFailures(subjects: ThrottleSubject[]): Promise<void> {
    for (const subject of [...subjects].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      await retryingContention(() => queries.throttles.recordThrottleFailure(subject.key, subject.rule));
      blockView.delete(subject.key);
    }
  }

  /** While the subjects' own keys are locked (not the shared ones). */
  const holding = <T>(subjects: ThrottleSubject[], work: () => Promise<T>) =>
    lockKeys(keysOf(subjects.filter((subject) => !subject.shared)), work);

  return {
    /**
     * One guess at a secret: throws too_many_attempts while a subject is blocked; otherwise runs
     * `check` (alone among guesses at the same keys), counts it against every subject when it
     * answers undefined (wrong) or throws a RequestError (a mistake of its own kind, as a reused
     * code), and resets `reset` when it answers anything else.
     */
    guess<T>(subjects: ThrottleSubject[], check: () => Promise<T | undefined>, { reset }: { reset: ThrottleSubject[] }): Promise<T | undefined> {
      return holding(subjects, async () => {
        const { counting } = await assertNotBlocked(subjects);
        let result: T | undefined;
        try {
          result = await check();
        } catch (error) {
          if (error instanceof RequestError && error.status < 500) await recordFailures(subjects); // a mistake of its own kind
          throw error;
        }
        if (result === undefined) await recordFailures(subjects);
        else if (reset.length && counting) await retryingContention(() => queries.throttles.resetThrottles(keysOf(reset)));
        return result;
      });
    },

    /** Counts one attempt at something costly (a mail, a sign-up); throws too_many_attempts, counting nothing, while a subject is blocked. */
    countAttempt(subjects: ThrottleSubject[]): Promise<void> {
      return holding(subjects, async () => {
        await assertNotBlocked(subjects);
        await recordFailures(subjects);
      });
    },

    /**
     * Throws too_many_attempts while any subject is blocked, as this process last read it (at
     * most a second ago): for a check on every request of a busy endpoint, where failures are
     * found out only afterwards. Counts nothing.
     */
    async assertNotBlockedLately(subjects: ThrottleSubject[]): Promise<void> {
      for (const key of keysOf(subjects)) {
        const until = await blockView.get(key, async () => (await retryingContention(() => queries.throttles.findThrottleState([key]))).blockedUntil);
        if (until && until.getTime() > Date.now()) {
          onBlocked(key);
          throw tooManyAttempts(until);
        }
      }
    },

    /** How many seconds a subject has yet to wait (0: none), as the database has it now. */
    async secondsBlocked(subject: ThrottleSubject): Promise<number> {
      const { blockedUntil } = await retryingContention(() => queries.throttles.findThrottleState([subject.key]));
      return blockedUntil ? Math.max(0, Math.ceil((blockedUntil.getTime() - Date.now()) / 1000)) : 0;
    },

    /** Counts a failure found out only afterwards (a client that failed to authenticate). */
    recordFailure: (subject: ThrottleSubject) => recordFailures([subject]),

    /** Counts a request against a rate; throws too_many_requests once the window's limit is passed. */
    async countRequest(key: string, rule: RateRule): Promise<void> {
      if (rule.limit === 0) return;
      const { count, windowEndsAt } = await queries.rateWindows.countInWindow(key, rule.windowSeconds);
      if (count > rule.limit) {
        onBlocked(key);
        throw tooManyRequests(windowEndsAt);
      }
    },

    /** Takes back a request counted before it turned out to be one the rate is not about. */
    async uncountRequest(key: string, rule: RateRule): Promise<void> {
      if (rule.limit > 0) await queries.rateWindows.uncountInWindow(key);
    },

    /** Counts a request found out only afterwards to be one the rate is about; never throws. */
    async recordRequest(key: string, rule: RateRule): Promise<void> {
      if (rule.limit > 0) await queries.rateWindows.countInWindow(key, rule.windowSeconds);
    },

    /** Forget counters nobody has failed on for a day, and request windows that are over. */
    async sweep(): Promise<number> {
      return (await queries.throttles.deleteQuietThrottles(24 * 60 * 60)) + (await queries.rateWindows.deleteEndedRateWindows());
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;

/** Collapses an IPv6 address to its /64, the block one subscriber usually controls. */
export function ipBucket(ip: string): string {
  const address = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : address.split(':');
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
