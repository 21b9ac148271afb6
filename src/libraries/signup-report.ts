// Counts of self-service sign-ups over a period, by source (utm_source, else the referring
// site, else direct) and by the application the person was signing in to.
import type { Queries } from '../queries/index.ts';

export interface SignupReport {
  since: string;
  total: number;
  bySource: Array<{ source: string; count: number }>;
  byClient: Array<{ clientId: string | null; name: string | null; count: number }>;
}

export function createSignupReport({ queries }: { queries: Queries }) {
  return async function signupReport(since: Date): Promise<SignupReport> {
    const [bySource, byClient] = await Promise.all([
      queries.accounts.countSignupsBySource(since),
      queries.accounts.countSignupsByClient(since),
    ]);
    return {
      since: since.toISOString(),
      total: bySource.reduce((sum, row) => sum + row.count, 0),
      bySource: bySource.map((row) => ({ source: row.key, count: row.count })),
      byClient: byClient.map((row) => ({ clientId: row.key || null, name: row.name, count: row.count })),
    };
  };
}
