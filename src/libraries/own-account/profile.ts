// A person's own profile: their names, a picture (a URL, released as the `picture` claim) and
// the language they prefer for pages and mails. Only what differs is written, with one audit
// event naming the fields (never their values); updated_at moves with it.
import type { AccountRow, OwnProfileChange } from '../../queries/accounts.ts';
import type { Queries } from '../../queries/index.ts';
import type { Accounts } from '../accounts.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { assertThat, RequestError } from '../errors.ts';
import { LANGUAGE_TAGS } from '../i18n/languages.ts';

export const PICTURE_MAX_LENGTH = 2000;

/** Hosts a picture may be served from over plain http: this machine, for development. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A picture's URL as stored (the parsed URL's own serialisation), or null when left blank: an
 * absolute https URL (http only on this machine) with no user name or password in it. Anything
 * else is refused, so an application reading the claim never gets a javascript:, data: or file: URL.
 */
export function checkPictureUrl(input: unknown): string | null {
  const typed = typeof input === 'string' ? input.trim() : '';
  if (!typed) return null;
  const refuse = (message: string, messageKey: string) => new RequestError('picture_invalid', 400, message, { messageKey, max: PICTURE_MAX_LENGTH });
  if (typed.length > PICTURE_MAX_LENGTH) throw refuse(`Use a picture address of at most ${PICTURE_MAX_LENGTH} characters.`, 'account.profile.pictureTooLong');
  const url = URL.parse(typed);
  const secure = url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!url || !secure || !url.hostname) throw refuse('Enter the full address of a picture, starting with https://.', 'account.profile.pictureNotHttps');
  if (url.username || url.password) throw refuse('Leave the user name and password out of the picture\'s address.', 'account.profile.pictureCredentials');
  if (url.href.length > PICTURE_MAX_LENGTH) throw refuse(`Use a picture address of at most ${PICTURE_MAX_LENGTH} characters.`, 'account.profile.pictureTooLong');
  return url.href;
}

/** A language Latchkey's pages and mails are written in, or null (blank: follow the browser). */
export function checkPreferredLanguage(input: unknown): string | null {
  const typed = typeof input === 'string' ? input.trim() : '';
  if (!typed) return null;
  assertThat(LANGUAGE_TAGS.includes(typed), 'language_invalid', 'Choose one of the languages offered.', 400, { messageKey: 'account.profile.languageInvalid' });
  return typed;
}

export interface OwnProfileInput {
  name: unknown;
  givenName: unknown;
  familyName: unknown;
  picture: unknown;
  preferredLanguage: unknown;
}

/** A refusal, marked with the form field it is about (the name checks share their codes). */
function about<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof RequestError) throw new RequestError(error.code, error.status, error.message, { ...error.details, field });
    throw error;
  }
}

export function createOwnProfile({ queries, accounts }: { queries: Queries; accounts: Pick<Accounts, 'checkProfile'> }) {
  return {
    /**
     * Saves what differs from the account as it is now; returns the fields changed (none: nothing
     * was written). `browserLanguage`: the language this browser asks for, which mails use from
     * now on when the preference is cleared. A refusal names its field in details.field.
     */
    async update(accountId: string, input: OwnProfileInput, { browserLanguage }: { browserLanguage: string }): Promise<{ fields: string[]; account: AccountRow }> {
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      const wanted = {
        name: about('name', () => accounts.checkProfile({ name: text(input.name) }).name),
        given_name: about('given_name', () => accounts.checkProfile({ givenName: text(input.givenName) }).givenName),
        family_name: about('family_name', () => accounts.checkProfile({ familyName: text(input.familyName) }).familyName),
        picture: about('picture', () => checkPictureUrl(input.picture)),
        preferred_language: about('preferred_language', () => checkPreferredLanguage(input.preferredLanguage)),
      };
      return queries.transaction(async (q) => {
        await q.accounts.lockAccount(accountId);
        const account = await q.accounts.maybeFindAccountById(accountId);
        if (!account) throw new RequestError('account_not_found', 404, 'This account no longer exists.');
        const fields = (Object.keys(wanted) as Array<keyof typeof wanted>).filter((field) => wanted[field] !== account[field]);
        if (!fields.length) return { fields, account };
        const change: OwnProfileChange = Object.fromEntries(fields.map((field) => [field, wanted[field]]));
        if (fields.includes('preferred_language')) change.language = wanted.preferred_language ?? browserLanguage;
        await q.accounts.updateOwnProfile(account.id, change);
        await recordAudit(q, { type: 'account.updated', subjectId: account.id, details: { fields } });
        return { fields, account: (await q.accounts.maybeFindAccountById(account.id))! };
      });
    },
  };
}

export type OwnProfile = ReturnType<typeof createOwnProfile>;
