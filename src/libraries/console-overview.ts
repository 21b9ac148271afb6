// What the console's overview shows at a glance: accounts, sign-ins per day, where sign-ups came
// from (what `latchkey report signups` counts), the mail outbox's health and the signing keys'
// state, with the thresholds that make a figure worth a warning. A handful of queries, run side by side.
import type { Queries } from '../queries/index.ts';
import type { OutboxHealth } from '../queries/mail-outbox.ts';
import type { SignupReport } from './signup-report.ts';
import { SIGNING_ALGORITHMS, type SigningKeys } from './signing-keys.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export const overviewPeriods = {
  /** Accounts made within this many days count as new. */
  newAccountDays: 7,
  /** Accounts that signed in within this many hours count as active. */
  activeHours: 24,
  /** Days of sign-ins drawn, today (UTC) included, and of sign-ups counted. */
  days: 30,
};

/**
 * Mail that has waited this long is late: a running worker looks for due mail every second, so
 * waiting minutes means failed attempts waiting to be retried, or no server process delivering.
 */
export const MAIL_LATE_SECONDS = 5 * 60;

export interface SignInDayCount {
  /** Midnight UTC of the day. */
  day: Date;
  succeeded: number;
  failed: number;
}

export interface KeyStatus {
  alg: string;
  /** The key that signs now, or null when the algorithm has none (a fault: nothing is signed with it). */
  signing: { kid: string; createdAt: Date; ageDays: number } | null;
  /** A key published ahead of signing, and from when it signs. */
  next: { kid: string; activatesAt: Date } | null;
  /** Older keys still published until what they signed expires. */
  retiring: number;
}

export interface ConsoleOverview {
  accounts: { total: number; newThisWeek: number; activeToday: number };
  signIns: { days: SignInDayCount[]; succeeded: number; failed: number };
  signups: SignupReport;
  mail: OutboxHealth & { oldestPendingAgeSeconds: number | null; state: 'ok' | 'late' | 'failing' };
  keys: KeyStatus[];
}

const startOfUtcDay = (time: Date) => new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));

export function createConsoleOverview({ queries, signupReport, signingKeys }: {
  queries: Queries; signupReport: (since: Date) => Promise<SignupReport>; signingKeys: Pick<SigningKeys, 'listSigningKeys'>;
}) {
  return async function consoleOverview(now = new Date()): Promise<ConsoleOverview> {
    const firstDay = new Date(startOfUtcDay(now).getTime() - (overviewPeriods.days - 1) * DAY_MS);
    const [accounts, signInRows, signups, outbox, keys] = await Promise.all([
      queries.consoleStats.countAccounts({
        newSince: new Date(now.getTime() - overviewPeriods.newAccountDays * DAY_MS),
        activeSince: new Date(now.getTime() - overviewPeriods.activeHours * 60 * 60 * 1000),
      }),
      queries.consoleStats.countSignInsByDay(firstDay),
      signupReport(new Date(now.getTime() - overviewPeriods.days * DAY_MS)),
      queries.mailOutbox.summariseOutbox(),
      signingKeys.listSigningKeys(),
    ]);

    // Every day of the period, the quiet ones as zeros, so that the chart's days are evenly spaced.
    const byDay = new Map(signInRows.map((row) => [row.day, row]));
    const days = Array.from({ length: overviewPeriods.days }, (_, index) => {
      const day = new Date(firstDay.getTime() + index * DAY_MS);
      const row = byDay.get(day.toISOString().slice(0, 10));
      return { day, succeeded: row?.succeeded ?? 0, failed: row?.failed ?? 0 };
    });

    const oldestPendingAgeSeconds = outbox.oldestPending ? Math.max(0, Math.round((now.getTime() - outbox.oldestPending.getTime()) / 1000)) : null;
    const algorithms = [...new Set<string>([...SIGNING_ALGORITHMS, ...keys.map((key) => key.alg)])];
    return {
      accounts: { total: accounts.total, newThisWeek: accounts.recent, activeToday: accounts.active },
      signIns: {
        days,
        succeeded: days.reduce((sum, day) => sum + day.succeeded, 0),
        failed: days.reduce((sum, day) => sum + day.failed, 0),
      },
      signups,
      mail: {
        ...outbox,
        oldestPendingAgeSeconds,
        state: outbox.givenUp > 0 || outbox.retrying > 0 ? 'failing' : (oldestPendingAgeSeconds ?? 0) >= MAIL_LATE_SECONDS ? 'late' : 'ok',
      },
      keys: algorithms.map((alg) => {
        const ofAlg = keys.filter((key) => key.alg === alg);
        const signing = ofAlg.find((key) => key.status === 'signing');
        // The latest published ahead, should a second rotation have come before the first one signs.
        const next = ofAlg.filter((key) => key.status === 'next').sort((a, b) => b.activatesAt.getTime() - a.activatesAt.getTime())[0];
        return {
          alg,
          signing: signing ? { kid: signing.kid, createdAt: signing.createdAt, ageDays: Math.floor((now.getTime() - signing.createdAt.getTime()) / DAY_MS) } : null,
          next: next ? { kid: next.kid, activatesAt: next.activatesAt } : null,
          retiring: ofAlg.filter((key) => key.status === 'retiring').length,
        };
      }),
    };
  };
}

export type ConsoleOverviewReader = ReturnType<typeof createConsoleOverview>;
