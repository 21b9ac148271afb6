// People and roles as SCIM resources (RFC 7643 §4): an account is a User whose userName and
// one primary email are its address, displayName its name; a role is a Group of its holders.
import SCIMMY from 'scimmy';
import type { AccountRow } from '../../../queries/accounts.ts';
import type { DirectoryRecord } from '../../../libraries/account-admin.ts';

export const userSchema = SCIMMY.Schemas.User;
export const groupSchema = SCIMMY.Schemas.Group;

type Attributes = InstanceType<typeof SCIMMY.Types.Filter> | undefined;

/** RFC 7643 §3: every resource names its schemas, whatever attributes were asked for. */
function withSchemas(resource: object, schema: string) {
  return { schemas: [schema], ...JSON.parse(JSON.stringify(resource)) as Record<string, unknown> };
}

/** The account as scimmy's User schema instance (what a PATCH applies to). */
export function userResource(account: AccountRow, base: string, roles: Map<string, string>, attributes?: Attributes) {
  return new userSchema({
    id: account.id,
    ...(account.external_id ? { externalId: account.external_id } : {}),
    userName: account.email,
    ...(account.name ? { displayName: account.name } : {}),
    ...(account.given_name || account.family_name || account.name ? {
      name: {
        ...(account.name ? { formatted: account.name } : {}),
        ...(account.given_name ? { givenName: account.given_name } : {}),
        ...(account.family_name ? { familyName: account.family_name } : {}),
      },
    } : {}),
    emails: [{ value: account.email, type: 'work', primary: true }],
    active: !account.disabled,
    ...(account.roles.length ? {
      groups: account.roles.filter((role) => roles.has(role)).map((role) => ({ value: roles.get(role)!, display: role, $ref: `${base}/Groups/${roles.get(role)}` })),
    } : {}),
    meta: { created: account.created_at, lastModified: account.updated_at },
  }, 'out', `${base}/Users`, attributes);
}

/** The account as a SCIM User to send. */
export const scimUser = (account: AccountRow, base: string, roles: Map<string, string>, attributes?: Attributes) =>
  withSchemas(userResource(account, base, roles, attributes), userSchema.definition.id);

/** A role as a SCIM Group to send. */
export const scimGroupJson = (group: object) => withSchemas(group, groupSchema.definition.id);

const BOOLEAN_ATTRIBUTES = new Set(['active', 'primary']);
const booleanString = (value: unknown) => typeof value === 'string' && /^(true|false)$/i.test(value);

/**
 * Entra ID sends booleans as "True" and "False", as attribute values and as PATCH values of a
 * boolean path ({ "op": "Replace", "path": "active", "value": "False" }): read them as booleans
 * before the schema does.
 */
export function withBooleans<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withBooleans) as T;
  if (!value || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const pathIsBoolean = typeof object.path === 'string' && BOOLEAN_ATTRIBUTES.has(object.path.split('.').at(-1)!.toLowerCase());
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key,
    (BOOLEAN_ATTRIBUTES.has(key.toLowerCase()) || (key === 'value' && pathIsBoolean)) && booleanString(inner)
      ? (inner as string).toLowerCase() === 'true' : withBooleans(inner)])) as T;
}

/** What a SCIM User (parsed by scimmy's schema) says about a person. */
export function directoryRecord(user: Record<string, any>, current?: AccountRow): DirectoryRecord & { email: unknown } {
  const primary = (user.emails as Array<{ value?: string; primary?: boolean }> | undefined)?.find((email) => email.primary) ?? user.emails?.[0];
  // userName is the address; a directory that changed only the primary email means that one.
  const email = current && user.userName === current.email && primary?.value && primary.value.toLowerCase() !== current.email.toLowerCase()
    ? primary.value : user.userName;
  const name = user.displayName ?? user.name?.formatted
    ?? ([user.name?.givenName, user.name?.familyName].filter(Boolean).join(' ') || null);
  return {
    email,
    name,
    givenName: user.name?.givenName ?? null,
    familyName: user.name?.familyName ?? null,
    externalId: user.externalId ?? null,
    active: user.active, // left out: unchanged (a directory's profile PUT must not enable a disabled account)
    ...(user.password !== undefined ? { password: user.password } : {}),
  };
}
