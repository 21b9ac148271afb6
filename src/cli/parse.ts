// Argument parsing for the CLI on node:util parseArgs: unknown flags, missing values and bad
// values are usage errors of one line that name the command's --help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '').replace(/\s+/g, ' ')} (see latchkey ${command} --help)`);
  }
}

export function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${command} needs ${flag} (see latchkey ${command} --help)`);
  return value;
}

export function onePositional(positionals: string[], what: string, command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes one ${what} (see latchkey ${command} --help)`);
  return positionals[0]!;
}

const MAX_DURATION_SECONDS = 7 * 24 * 60 * 60;

/** "0", "90s", "5m", "2h" → seconds, at most a week. */
export function durationSeconds(value: string, flag: string): number {
  const match = /^(\d{1,7})([smh]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[match[2]!]! : NaN;
  if (!(seconds <= MAX_DURATION_SECONDS)) throw new UsageError(`${flag} takes a duration up to a week, such as 0, 90s, 5m or 2h`);
  return seconds;
}

const PERIOD_UNITS: Record<string, number> = { h: 3600, d: 86400, w: 7 * 86400 };

/** "12h", "30d", "8w" → seconds, at most ten years: how far back a report looks. */
export function periodSeconds(value: string, flag: string): number {
  const match = /^(\d{1,6})([hdw])$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * PERIOD_UNITS[match[2]!]! : NaN;
  if (!(seconds > 0 && seconds <= 3650 * 86400)) throw new UsageError(`${flag} takes a period such as 12h, 30d or 8w`);
  return seconds;
}
