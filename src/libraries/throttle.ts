// Throttling of attempts that can be guessed at (passwords, codes): every attempt is counted
// before it is checked, in the database shared by every process, so no burst of concurrent
// requests gets more tries than the limit; blocks escalate but are always temporary.
import type { Queries } from '../queries/index.ts';
import type { ThrottleRule } from '../queries/throttles.ts';
import { RequestError } from './errors.ts';

export interface ThrottleSubject {
  key: string;
  rule: ThrottleRule;
}

/** At most `limit` requests per fixed window of `windowSeconds`; 0 means no limit. */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

const byKey = (a: ThrottleSubject, b: ThrottleSubject) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

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

export function createThrottle({ queries }: { queries: Queries }) {
  return {
    /**
     * Counts an attempt as a failure until it proves otherwise; throws too_many_attempts,
     * counting nothing, while any subject is blocked.
     */
    async reserveAttempt(subjects: ThrottleSubject[]): Promise<void> {
      const ordered = [...subjects].sort(byKey); // one lock order for every caller: no deadlocks
      await queries.transaction(async (q) => {
        const until = await q.throttles.lockBlockedUntil(ordered.map((s) => s.key));
        if (until) throw tooManyAttempts(until);
        for (const subject of ordered) await q.throttles.recordThrottleFailure(subject.key, subject.rule);
      });
    },

    /** The attempt succeeded: `reset` counters start again, `refund` ones just forget this attempt. */
    async attemptSucceeded({ reset, refund }: { reset: ThrottleSubject[]; refund: ThrottleSubject[] }): Promise<void> {
      for (const subject of reset) await queries.throttles.clearThrottle(subject.key);
      for (const subject of refund) await queries.throttles.refundThrottleFailure(subject.key, subject.rule);
    },

    /** Throws too_many_attempts while any subject is blocked; counts nothing (for failures recorded only afterwards). */
    async assertNotBlocked(subjects: ThrottleSubject[]): Promise<void> {
      const until = await queries.throttles.maybeBlockedUntil(subjects.map((s) => s.key));
      if (until) throw tooManyAttempts(until);
    },

    /** Counts a failure found out only afterwards (a client that failed to authenticate). */
    async recordFailure(subject: ThrottleSubject): Promise<void> {
      await queries.throttles.recordThrottleFailure(subject.key, subject.rule);
    },

    /** Counts a request against a rate; throws too_many_requests once the window's limit is passed. */
    async countRequest(key: string, rule: RateRule): Promise<void> {
      if (rule.limit === 0) return;
      const { count, windowEndsAt } = await queries.rateWindows.countInWindow(key, rule.windowSeconds);
      if (count > rule.limit) throw tooManyRequests(windowEndsAt);
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
