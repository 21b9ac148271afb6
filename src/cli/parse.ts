// Argument parsing for the CLI on node:util parseArgs: unknown flags, missing values and bad
// values are usage errors of one line that name the command's --help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** What an option's value must be, for the message when it is missing or looks like an option. */
const VALUE_HINTS: Record<string, string> = {
  limit: 'a whole number, such as 20', offset: 'a whole number, such as 100', since: 'a period such as 12h, 30d or 8w',
  'activate-in': 'a duration such as 0, 90s, 5m or 2h',
};

const helpOf = (command: string) => `see latchkey ${command.split(' ')[0]} --help`;

/** Parses `args` of `command` (the whole command, as "users create"); every mistake is one line of ours. */
export function parse<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'(--?[\w-]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) throw new UsageError(`${command} has no option ${option} (${helpOf(command)})`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
      const hint = VALUE_HINTS[option.replace(/^-+/, '')];
      throw new UsageError(`${command} ${option} takes ${hint ?? 'a value'} (${helpOf(command)})`);
    }
    throw new UsageError(`${command}: ${message.replace(/\. To specify.*$/s, '').replace(/\s+/g, ' ')} (${helpOf(command)})`);
  }
}

export function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${command} needs ${flag} (${helpOf(command)})`);
  return value;
}

export function onePositional(positionals: string[], what: string, command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes one ${what} (${helpOf(command)})`);
  return positionals[0]!;
}

/** A whole number of at least 0, or a usage error naming the command and flag. */
export function count(value: string | undefined, flag: string, command: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`${command} ${flag} takes ${VALUE_HINTS[flag.replace(/^-+/, '')] ?? 'a whole number'} (${helpOf(command)})`);
  return Number(value);
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
