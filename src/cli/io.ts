// Where a CLI command writes: the terminal when run directly, a buffer when the running
// server runs it on the CLI's behalf.
import type { CommandServices } from '../command-services.ts';

/** A parsed command, ready to run once the database is open. */
export type Execute = (services: CommandServices, io: CommandIo) => Promise<void>;
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const terminalIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function bufferIo(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

/** Aligned columns for human-readable listings. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}
