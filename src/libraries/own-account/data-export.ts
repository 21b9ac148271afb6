// Everything Latchkey holds about a person, as one JSON document: for the person's own download
// (their account's Your data page) and for an administrator answering a request for it (the admin
// API); the same document either way. It never holds a secret: no password hash, no
// authenticator secret, no recovery code, no token. Each export is audited.
import type { Config } from '../../config/env.ts';
import type { Queries } from '../../queries/index.ts';
import type { AccountAdmin } from '../account-admin.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { RequestError } from '../errors.ts';
import type { OwnApplications } from './applications.ts';
import { actorOf, madeFrom } from './activity.ts';

/** Events are read this many at a time (the export holds them all). */
const EVENT_PAGE = 1000;

/** Who downloaded the export (the details of its account.exported event). */
export type ExportedBy = 'self' | 'admin';

/** Who acted, without naming an administrator: self, administrator, application, anonymous (a failed proof) or system. */
/** A row with its times as ISO 8601 text, as the rest of the document has them. */
const withIsoTimes = <T extends object>(row: T) =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));

export function createDataExport({ config, queries, accountAdmin, applications }: {
  config: Config; queries: Queries; accountAdmin: AccountAdmin; applications: OwnApplications;
}) {
  /** Every event the account is the subject of, oldest first, with IP and browser: it is the person's own data. */
  async function activityOf(accountId: string) {
    const events = [];
    for (let before: string | undefined, page = EVENT_PAGE; page === EVENT_PAGE;) {
      const rows = await queries.auditEvents.listAuditEvents({ subjectId: accountId, beforeId: before, limit: EVENT_PAGE });
      events.push(...rows);
      page = rows.length;
      before = rows.at(-1)?.id;
    }
    return events.reverse().map((row) => {
      const from = madeFrom(row, accountId);
      return {
        occurred_at: row.occurred_at.toISOString(),
        type: row.type,
        by: actorOf(row, accountId),
        application: row.client_id,
        ip: from.ip,
        user_agent: from.userAgent,
        details: row.details,
      };
    });
  }

  return {
    async export(accountId: string, { by }: { by: ExportedBy }) {
      const account = await queries.accounts.maybeFindAccountById(accountId);
      if (!account) throw new RequestError('account_not_found', 404, `No account ${accountId}.`);
      const [seen, apps, activity] = await Promise.all([accountAdmin.view(account.id), applications.list(account.id), activityOf(account.id)]);
      const { password_hash: passwordHash, roles, ...columns } = account;
      const document = {
        format: 'latchkey-account-export/1',
        issuer: config.issuer,
        generated_at: new Date().toISOString(),
        profile: { ...withIsoTimes(columns), has_password: passwordHash !== null },
        emails: [{ address: account.email, verified: account.email_verified, primary: true }],
        signup: seen.signup,
        roles,
        second_factors: seen.second_factors,
        sessions: seen.sessions,
        applications: apps.map((app) => ({
          client_id: app.clientId, name: app.name, scopes: app.scopes, allowed_at: app.allowedAt.toISOString(),
          updated_at: app.updatedAt.toISOString(), last_used_at: app.lastUsedAt?.toISOString() ?? null,
        })),
        activity,
      };
      await recordAudit(queries, { type: 'account.exported', subjectId: account.id, details: { by } });
      return document;
    },
  };
}

export type DataExport = ReturnType<typeof createDataExport>;
