// Schemas the admin API's routes share: pages, ids, and the shapes of people and events.
import { z } from 'zod';

export const timestamp = z.string().describe('ISO 8601 time');

/** A query flag: true/false (as a query string carries it). */
export const queryBoolean = z.enum(['true', 'false']).transform((value) => value === 'true');

export const pageQuery = {
  limit: z.string().regex(/^\d{1,4}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1).max(200)).optional()
    .describe('Items per page, 1 to 200 (default 50)'),
  cursor: z.string().max(500).optional().describe('next_cursor of the previous page'),
};

export const uuidParams = z.object({ id: z.string().uuid('must be an id (a UUID)').describe('The account id') });

export const accountSchema = z.object({
  id: z.string(),
  email: z.string(),
  email_verified: z.boolean(),
  name: z.string().nullable(),
  given_name: z.string().nullable(),
  family_name: z.string().nullable(),
  disabled: z.boolean(),
  roles: z.array(z.string()),
  has_password: z.boolean(),
  has_second_factor: z.boolean().optional(),
  language: z.string().nullable().describe('Of the pages last signed in on; mails no page causes use it'),
  preferred_language: z.string().nullable().describe('The language the person chose on their profile page (null: their browser\'s)'),
  picture: z.string().nullable().describe('The URL of the person\'s picture (the picture claim)'),
  created_at: timestamp,
  updated_at: timestamp,
  last_sign_in_at: timestamp.nullable(),
  signup: z.object({
    method: z.string().nullable().describe('registration, email_code, cli or admin'),
    client_id: z.string().nullable(),
    referrer: z.string().nullable(),
    utm: z.record(z.string(), z.string()).nullable(),
  }),
});

export const accountDetailSchema = accountSchema.extend({
  last_seen_at: timestamp.nullable().describe('When any of the person\'s browser sessions was last used (kept to the minute)'),
  active_now: z.boolean().describe('A session of theirs was used in the last 5 minutes'),
  second_factors: z.object({
    totp: z.object({ since: timestamp }).nullable(),
    passkeys: z.array(z.object({ id: z.string(), name: z.string(), synced: z.boolean(), created_at: timestamp, last_used_at: timestamp.nullable() })),
    recovery_codes_left: z.number().int(),
  }),
  sessions: z.array(z.object({
    signed_in_at: timestamp.nullable(), last_active_at: timestamp.nullable().describe('When the browser last used the session (kept to the minute)'),
    active_now: z.boolean().describe('Used in the last 5 minutes'),
    expires_at: timestamp.nullable(), amr: z.array(z.string()), applications: z.array(z.string()),
    ip: z.string().nullable().describe('The IP address the session was last used from'),
    user_agent: z.string().nullable().describe('The browser it was last used from, as its User-Agent header said (at most 400 characters)'),
    browser: z.string().nullable().describe('The browser that header names, with its major version ("Chrome 126"); null when unknown'),
    os: z.string().nullable().describe('The operating system that header names ("Windows 10", "macOS", "Android 14"); null when unknown'),
  })),
  applications: z.array(z.object({
    client_id: z.string(), client_name: z.string().nullable(), scopes: z.array(z.string()), allowed_at: timestamp, updated_at: timestamp,
  })),
});

/** Everything held about one person (libraries/own-account/data-export.ts), as they download it too. */
export const accountExportSchema = z.object({
  format: z.literal('latchkey-account-export/1'),
  issuer: z.string(),
  generated_at: timestamp,
  profile: z.looseObject({
    id: z.string(), email: z.string(), email_verified: z.boolean(), name: z.string().nullable(), given_name: z.string().nullable(),
    family_name: z.string().nullable(), created_at: timestamp, has_password: z.boolean(),
  }).describe('Every column of the account but its password hash (has_password says whether there is one)'),
  emails: z.array(z.object({ address: z.string(), verified: z.boolean(), primary: z.boolean() })),
  signup: accountSchema.shape.signup,
  roles: z.array(z.string()),
  second_factors: accountDetailSchema.shape.second_factors.describe('Never their secrets: when the authenticator app was set up, the passkeys, how many recovery codes are left'),
  sessions: accountDetailSchema.shape.sessions,
  applications: z.array(z.object({
    client_id: z.string(), name: z.string(), scopes: z.array(z.string()), allowed_at: timestamp, updated_at: timestamp,
    last_used_at: timestamp.nullable().describe('The later of the last sign-in to it and the last token it was given or used'),
  })),
  activity: z.array(z.object({
    occurred_at: timestamp, type: z.string(),
    by: z.string().describe('self, administrator, application, anonymous (a failed sign-in) or system'),
    application: z.string().nullable(), ip: z.string().nullable(), user_agent: z.string().nullable(), details: z.record(z.string(), z.unknown()),
  })).describe('Every audit event about the person, oldest first'),
});

export const auditEventSchema = z.object({
  id: z.string(),
  occurred_at: timestamp,
  type: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  subject_id: z.string().nullable(),
  client_id: z.string().nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  request_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
