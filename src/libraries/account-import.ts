// Moving people in from another system: one JSON object per line, each with its existing
// password hash (bcrypt, Django PBKDF2, argon2, scrypt), verified as it is at the first sign-in
// and then rehashed to argon2id. A file is imported whole or not at all: any refused line (with
// its number and reason) stops it. Addresses that have an account already are left as they are,
// so importing the same file again changes nothing.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Queries } from '../queries/index.ts';
import { auditRow } from './audit/audit-log.ts';
import { normaliseEmail } from './email-address.ts';
import { RequestError } from './errors.ts';
import { checkHash } from './imported-hashes.ts';

const BATCH = 500;
export const IMPORT_MAX_LINES = 1_000_000;

const name = z.string().trim().max(200).refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters').nullable().optional();

export const importLineSchema = z.object({
  email: z.string().max(320),
  email_verified: z.boolean().optional(),
  name, given_name: name, family_name: name,
  password_hash: z.string().max(1000).nullable().optional().superRefine((hash, context) => {
    const checked = hash == null ? undefined : checkHash(hash);
    if (checked && 'problem' in checked) context.addIssue({ code: 'custom', message: `is refused: ${checked.problem}` });
  }),
  roles: z.array(z.string().max(64)).max(50).optional(),
  external_id: z.string().max(200).nullable().optional(),
  disabled: z.boolean().optional(),
  created_at: z.iso.datetime({ offset: true }).optional().describe('When the account was made in the old system'),
}).strict();

export type ImportLine = z.input<typeof importLineSchema>;

export interface ImportReport {
  lines: number;
  created: number;
  /** Addresses that have an account already: left as they are. */
  unchanged: number;
  refused: Array<{ line: number; reason: string }>;
  /** True when nothing was written (a refused line, or a dry run). */
  dry_run: boolean;
}

export function createAccountImport({ queries }: { queries: Queries }) {
  /** Checks every line; writes them all in one transaction unless one is refused or `dryRun`. */
  async function importAccounts(lines: Array<{ line: number; value: unknown }>, { dryRun = false } = {}): Promise<ImportReport> {
    if (lines.length > IMPORT_MAX_LINES) throw new RequestError('import_too_large', 413, `An import takes at most ${IMPORT_MAX_LINES} lines.`);
    const refused: ImportReport['refused'] = [];
    const roleNames = new Map((await queries.roles.listRoles()).map((role) => [role.name.toLowerCase(), role.name]));
    const firstLineOf = new Map<string, number>();
    const accepted: Array<{ line: number; email: string; row: Parameters<Queries['accounts']['insertImportedAccounts']>[0][number] }> = [];
    for (const { line, value } of lines) {
      const parsed = importLineSchema.safeParse(value);
      if (!parsed.success) {
        refused.push({ line, reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'} ${issue.message}`).join('; ') });
        continue;
      }
      const entry = parsed.data;
      let email: string;
      try {
        email = normaliseEmail(entry.email);
      } catch (error) {
        refused.push({ line, reason: `email: ${(error as Error).message}` });
        continue;
      }
      const earlier = firstLineOf.get(email.toLowerCase());
      if (earlier !== undefined) {
        refused.push({ line, reason: `email: the same address as line ${earlier}` });
        continue;
      }
      firstLineOf.set(email.toLowerCase(), line);
      const unknownRole = entry.roles?.find((role) => !roleNames.has(role.toLowerCase()));
      if (unknownRole !== undefined) {
        refused.push({ line, reason: `roles: no role ${unknownRole} (make it first: latchkey roles create)` });
        continue;
      }
      accepted.push({
        line, email,
        row: {
          id: crypto.randomUUID(), email, email_verified: entry.email_verified ?? false, password_hash: entry.password_hash ?? null,
          name: entry.name || null, given_name: entry.given_name || null, family_name: entry.family_name || null,
          signup_method: 'import', signup_client_id: null, signup_referrer: null, signup_utm: null,
          roles: [...new Set((entry.roles ?? []).map((role) => roleNames.get(role.toLowerCase())!))],
          disabled: entry.disabled ?? false, external_id: entry.external_id ?? null, created_at: entry.created_at ?? null,
        },
      });
    }
    const taken = new Set<string>();
    for (let at = 0; at < accepted.length; at += BATCH) {
      for (const email of await queries.accounts.findTakenEmails(accepted.slice(at, at + BATCH).map((entry) => entry.email.toLowerCase()))) taken.add(email);
    }
    const fresh = accepted.filter((entry) => !taken.has(entry.email.toLowerCase()));
    const report: ImportReport = { lines: lines.length, created: 0, unchanged: accepted.length - fresh.length, refused, dry_run: dryRun || refused.length > 0 };
    if (report.dry_run) return { ...report, created: refused.length ? 0 : fresh.length };
    await queries.transaction(async (q) => {
      const given = [...new Set(fresh.flatMap((entry) => entry.row.roles))];
      await q.roles.lockDefaultRoles();
      if (!(await q.roles.lockRoles(given))) throw new RequestError('import_roles_changed', 409, 'A role of this file was renamed or deleted meanwhile: nothing was imported. Import it again.');
      for (let at = 0; at < fresh.length; at += BATCH) {
        const inserted = await q.accounts.insertImportedAccounts(fresh.slice(at, at + BATCH).map((entry) => entry.row));
        report.created += inserted.length;
        report.unchanged += Math.min(BATCH, fresh.length - at) - inserted.length; // made meanwhile by someone else
        await q.auditEvents.insertAuditEvents(inserted.map((account) => auditRow({ type: 'account.created', subjectId: account.id, details: { method: 'import', roles: account.roles } })));
      }
    });
    return report;
  }

  return {
    importAccounts,

    /** A JSON-lines file: blank lines are skipped; a line that is not JSON is refused with its number. */
    async importJsonLines(text: string, options: { dryRun?: boolean } = {}): Promise<ImportReport> {
      const lines: Array<{ line: number; value: unknown }> = [];
      const unreadable: ImportReport['refused'] = [];
      text.split(/\r?\n/).forEach((raw, index) => {
        if (!raw.trim()) return;
        try {
          lines.push({ line: index + 1, value: JSON.parse(raw) });
        } catch {
          unreadable.push({ line: index + 1, reason: 'not a JSON object' });
        }
      });
      const report = await importAccounts(lines, { dryRun: options.dryRun || unreadable.length > 0 });
      if (!unreadable.length) return report;
      return { ...report, lines: report.lines + unreadable.length, created: 0, refused: [...unreadable, ...report.refused].sort((a, b) => a.line - b.line), dry_run: true };
    },
  };
}

export type AccountImport = ReturnType<typeof createAccountImport>;
