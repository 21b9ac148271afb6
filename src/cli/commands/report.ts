// latchkey report signups: where self-service sign-ups came from.
import { table, UsageError, type Execute } from '../io.ts';
import { parse, periodSeconds } from '../parse.ts';

export const reportHelp = `latchkey report signups [--since PERIOD] [--json]
    Self-service sign-ups (registration and email codes) since PERIOD ago (default 30d; 12h, 30d, 8w …),
    counted by source (utm_source, else the referring site, else direct) and by application.`;

export function parseReportCommand(args: string[]): Execute {
  const [sub, ...rest] = args;
  if (sub !== 'signups') throw new UsageError(`unknown report "${sub ?? ''}" (see latchkey report --help)`);
  const { values, positionals } = parse('report signups', rest, { since: { type: 'string' } });
  if (positionals.length) throw new UsageError('report signups takes no positional arguments (see latchkey report --help)');
  const seconds = periodSeconds(values.since ?? '30d', '--since');
  return async ({ signupReport }, io) => {
    const report = await signupReport(new Date(Date.now() - seconds * 1000));
    if (values.json) return io.out(JSON.stringify(report));
    const lines = [`${report.total} sign-up(s) since ${report.since}`];
    if (report.total) {
      lines.push('', 'By source:', ...table([['SOURCE', 'COUNT'], ...report.bySource.map((row) => [row.source, String(row.count)])]).map((line) => `  ${line}`));
      lines.push('', 'By application:', ...table([['CLIENT', 'NAME', 'COUNT'],
        ...report.byClient.map((row) => [row.clientId ?? '(none)', row.name ?? (row.clientId ? '(deleted)' : ''), String(row.count)])]).map((line) => `  ${line}`));
    }
    io.out(lines.join('\n'));
  };
}
