// A person's own audit events in words, newest first a page at a time, so that they can spot what
// they did not do: what happened (a phrase), who did it when it was not them, from which IP and
// browser. What the log keeps for administrators only stays out: why a sign-in failed, and the
// address an attempt on no account named (never the person's events anyway).
import { ACCOUNT_CLIENT_ID, ADMIN_CLIENT_ID } from '../../oidc/first-party-clients.ts';
import type { AuditEventRow } from '../../queries/audit-events.ts';
import type { Queries } from '../../queries/index.ts';
import type { AuditEventType } from '../audit/events.ts';
import { deviceNames } from '../device-names.ts';
import { phrase, type Phrase, type PhraseValue } from '../i18n/phrase.ts';
import { scopeWords } from './applications.ts';

export const ACTIVITY_PAGE_SIZE = 25;

/** The application an event names: its registered name, Latchkey's own areas in words, or the id of one since deleted. */
export type AppName = string | Phrase;

const METHOD_WORDS: Record<string, string> = {
  pwd: 'account.activity.method.password',
  email: 'account.activity.method.emailCode',
  otp: 'account.activity.method.authenticatorApp',
  hwk: 'account.activity.method.securityKey',
  swk: 'account.activity.method.passkey',
};

const FIRST_FACTOR_WORDS: Record<string, string> = {
  password: 'account.activity.method.password',
  email_code: 'account.activity.method.emailCode',
  passkey: 'account.activity.method.passkey',
};

const SECOND_FACTOR_WORDS: Record<string, string> = {
  totp: 'account.activity.method.authenticatorApp',
  passkey: 'account.activity.method.passkey',
  recovery_code: 'account.activity.method.recoveryCode',
};

/** The event types that can have a person as their subject: each has words below (the compiler checks). */
type PersonEventType = Extract<AuditEventType, `sign_in.${string}` | `second_factor.${string}` | `recovery_code${string}` | `password.${string}`
  | `email.${string}` | `factor.${string}` | `account.${string}` | 'role.granted' | 'role.revoked' | `consent.${string}` | 'security.undone'
  | 'token.revoked' | 'sessions.ended' | 'session.ended'>;

interface Facts {
  details: Record<string, unknown>;
  app: AppName | undefined;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const list = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const appOf = (facts: Facts): PhraseValue => facts.app ?? phrase('account.activity.app.unknown');

const WORDS: Record<PersonEventType, (facts: Facts) => Phrase> = {
  'sign_in.succeeded': (facts) => {
    const methods = list(facts.details.amr).filter((method) => METHOD_WORDS[method]).map((method) => phrase(METHOD_WORDS[method]!));
    return methods.length
      ? phrase('account.activity.event.signedInWith', { app: appOf(facts), methods })
      : phrase('account.activity.event.signedIn', { app: appOf(facts) });
  },
  'sign_in.failed': ({ details }) => {
    const method = FIRST_FACTOR_WORDS[text(details.method) ?? ''];
    return method ? phrase('account.activity.event.signInFailedWith', { method: phrase(method) }) : phrase('account.activity.event.signInFailed');
  },
  'second_factor.passed': ({ details }) => {
    const factor = SECOND_FACTOR_WORDS[text(details.factor) ?? ''];
    return factor ? phrase('account.activity.event.secondStepPassedWith', { factor: phrase(factor) }) : phrase('account.activity.event.secondStepPassed');
  },
  'second_factor.failed': ({ details }) => {
    const factor = SECOND_FACTOR_WORDS[text(details.factor) ?? ''];
    return factor ? phrase('account.activity.event.secondStepFailedWith', { factor: phrase(factor) }) : phrase('account.activity.event.secondStepFailed');
  },
  'recovery_code.used': () => phrase('account.activity.event.recoveryCodeUsed'),
  'recovery_codes.made': () => phrase('account.activity.event.recoveryCodesMade'),
  'password.changed': ({ details }) => phrase(details.by === 'directory' ? 'account.activity.event.passwordChangedByDirectory'
    : details.first === true ? 'account.activity.event.passwordSet' : 'account.activity.event.passwordChanged'),
  'password.reset_sent': () => phrase('account.activity.event.passwordResetSent'),
  'password.reset': () => phrase('account.activity.event.passwordReset'),
  'email.verified': () => phrase('account.activity.event.emailVerified'),
  'email.change_requested': () => phrase('account.activity.event.emailChangeRequested'),
  'email.changed': () => phrase('account.activity.event.emailChanged'),
  'email.change_undone': () => phrase('account.activity.event.emailChangeUndone'),
  'factor.added': ({ details }) => phrase(details.factor === 'totp' ? 'account.activity.event.totpAdded' : 'account.activity.event.passkeyAdded'),
  'factor.removed': ({ details }) => phrase(details.factor === 'totp' ? 'account.activity.event.totpRemoved'
    : details.factor === 'passkey' ? 'account.activity.event.passkeyRemoved' : 'account.activity.event.factorsRemoved'),
  'account.created': () => phrase('account.activity.event.accountCreated'),
  'account.updated': () => phrase('account.activity.event.profileChanged'),
  'account.deleted': () => phrase('account.activity.event.accountDeleted'),
  'account.exported': () => phrase('account.activity.event.dataDownloaded'),
  'account.disabled': () => phrase('account.activity.event.accountDisabled'),
  'account.enabled': () => phrase('account.activity.event.accountEnabled'),
  'role.granted': ({ details }) => phrase('account.activity.event.roleGranted', { role: text(details.role) ?? '' }),
  'role.revoked': ({ details }) => phrase('account.activity.event.roleRevoked', { role: text(details.role) ?? '' }),
  'consent.given': (facts) => phrase('account.activity.event.appAllowed', { app: appOf(facts), scopes: scopeWords(list(facts.details.scopes)) }),
  'consent.revoked': (facts) => phrase('account.activity.event.appRemoved', { app: appOf(facts) }),
  'security.undone': () => phrase('account.activity.event.securityUndone'),
  'token.revoked': (facts) => phrase('account.activity.event.tokenGivenUp', { app: appOf(facts) }),
  'sessions.ended': () => phrase('account.activity.event.signedOutEverywhere'),
  'session.ended': ({ details }) => phrase(details.which === 'others' ? 'account.activity.event.signedOutOthers' : 'account.activity.event.signedOutDevice'),
};

const isPersonEvent = (type: string): type is PersonEventType => Object.hasOwn(WORDS, type);

/** What an event says happened, in words (one of a type without words: that something did, and its name). */
export function eventWords(row: Pick<AuditEventRow, 'type' | 'details'>, app: AppName | undefined): Phrase {
  return isPersonEvent(row.type) ? WORDS[row.type]({ details: row.details, app }) : phrase('account.activity.event.other', { type: row.type });
}

/**
 * Who acted, when it was not the person: an administrator (at the console, the CLI, through the
 * admin API or a program of theirs) or their organisation's directory. Undefined when it was the
 * person, nobody proven (a failed sign-in), an application about itself, or Latchkey.
 */
/** Who made an event about a person, as the person may know it (never which administrator). */
export function actorOf(row: AuditEventRow, accountId: string): 'self' | 'administrator' | 'application' | 'anonymous' | 'system' {
  if (row.actor_type === 'account') return row.actor_id === accountId ? 'self' : 'administrator';
  if (row.actor_type === 'api_token' || row.actor_type === 'cli') return 'administrator';
  if (row.actor_type === 'client') return row.type === 'token.revoked' ? 'application' : 'administrator'; // a machine client acts through the admin API
  return row.actor_type === 'anonymous' ? 'anonymous' : 'system';
}

/**
 * Where an event was made from (IP and browser), as the person may see it: theirs, or that of
 * someone trying their account; never an administrator's or an application's.
 */
export function madeFrom(row: AuditEventRow, accountId: string): { ip: string | null; userAgent: string | null } {
  const actor = actorOf(row, accountId);
  return actor === 'self' || actor === 'anonymous' ? { ip: row.ip, userAgent: row.user_agent } : { ip: null, userAgent: null };
}

function actedBy(row: AuditEventRow, accountId: string): Phrase | undefined {
  return actorOf(row, accountId) === 'administrator' ? phrase('account.activity.by.admin') : undefined;
}

/** The browser and system a User-Agent header names ("Firefox 133 on Ubuntu"), else the header cut short. */
function browserOf(userAgent: string | null): PhraseValue | undefined {
  if (!userAgent) return undefined;
  const { browser, os } = deviceNames(userAgent);
  if (browser && os) return phrase('account.activity.browserOn', { browser, os });
  return browser ?? os ?? (userAgent.length > 60 ? `${userAgent.slice(0, 60)}…` : userAgent);
}

export interface ActivityEntry {
  id: string;
  at: Date;
  what: Phrase;
  by: Phrase | undefined;
  ip: string | null;
  browser: PhraseValue | undefined;
}

export function createOwnActivity({ queries }: { queries: Queries }) {
  /** The names of the applications these events name, by client id. */
  async function appNames(clientIds: string[]): Promise<Map<string, AppName>> {
    const names = new Map<string, AppName>([[ACCOUNT_CLIENT_ID, phrase('account.activity.app.account')], [ADMIN_CLIENT_ID, phrase('account.activity.app.console')]]);
    const wanted = [...new Set(clientIds)].filter((id) => !names.has(id));
    const found = await Promise.all(wanted.map((id) => queries.clients.maybeFindClient(id)));
    for (const [index, id] of wanted.entries()) names.set(id, found[index]?.name ?? id);
    return names;
  }

  return {
    /**
     * A page of the account's events, newest first: those before the event `before` (the
     * cursor of the previous page), and the cursor of the next page if there is one.
     */
    async page(accountId: string, before?: string): Promise<{ entries: ActivityEntry[]; next: string | undefined }> {
      const rows = await queries.auditEvents.listAuditEvents({ subjectId: accountId, beforeId: before, limit: ACTIVITY_PAGE_SIZE + 1 });
      const shown = rows.slice(0, ACTIVITY_PAGE_SIZE);
      const names = await appNames(shown.map((row) => row.client_id).filter((id): id is string => id !== null));
      return {
        entries: shown.map((row) => {
          const from = madeFrom(row, accountId);
          return {
            id: row.id, at: row.occurred_at, what: eventWords(row, row.client_id ? names.get(row.client_id) : undefined),
            by: actedBy(row, accountId), ip: from.ip, browser: browserOf(from.userAgent),
          };
        }),
        next: rows.length > ACTIVITY_PAGE_SIZE ? shown.at(-1)!.id : undefined,
      };
    },
  };
}

export type OwnActivity = ReturnType<typeof createOwnActivity>;
