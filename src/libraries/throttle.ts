// Throttling of attempts that can be guessed at (passwords, codes): failures are counted per
// key in the database, shared by every process; blocks escalate but are always temporary.
import type { Queries } from '../queries/index.ts';
import type { ThrottleRule } from '../queries/throttles.ts';
import { RequestError } from './errors.ts';

export interface ThrottleSubject {
  key: string;
  rule: ThrottleRule;
}

export function createThrottle({ queries }: { queries: Queries }) {
  return {
    /** Throws too_many_attempts while any of the subjects is blocked. */
    async assertNotBlocked(subjects: ThrottleSubject[]): Promise<void> {
      if (!subjects.length) return;
      const until = await queries.throttles.maybeFindBlockedUntil(subjects.map((s) => s.key));
      if (!until) return;
      const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
      const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
      throw new RequestError('too_many_attempts', 429, `Too many attempts. Try again in ${wait}.`, { retryAfter: seconds });
    },

    async recordFailure(subjects: ThrottleSubject[]): Promise<void> {
      for (const subject of subjects) await queries.throttles.recordThrottleFailure(subject.key, subject.rule);
    },

    async clear(subjects: ThrottleSubject[]): Promise<void> {
      for (const subject of subjects) await queries.throttles.clearThrottle(subject.key);
    },

    /** Forget counters nobody has failed on for a day. */
    sweep: () => queries.throttles.deleteQuietThrottles(24 * 60 * 60),
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
