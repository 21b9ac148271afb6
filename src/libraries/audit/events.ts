// The kinds of audit event and what each means: the admin API and the CLI accept these names as
// filters, and README lists them from here.

export const AUDIT_EVENT_TYPES = {
  'sign_in.succeeded': 'A person finished signing in to an application (details: methods, acr).',
  'sign_in.failed': 'A first factor was refused (details: method, reason; the reason is for admins only).',
  'second_factor.passed': 'A second factor was accepted (details: factor).',
  'second_factor.failed': 'A second factor was refused (details: factor).',
  'recovery_code.used': 'A recovery code stood in for a second factor.',
  'recovery_codes.made': 'A new set of recovery codes replaced the old one.',
  'password.changed': 'A password was set for the person by a provisioning directory (details: by).',
  'password.reset_sent': 'An administrator had a password reset link mailed to the person.',
  'password.reset': 'A password was set through a mailed reset link.',
  'email.verified': 'An address was proven, or an administrator marked it verified (details: how).',
  'email.changed': 'An administrator changed an account\'s address (links mailed to the old one stop working).',
  'factor.added': 'A second factor was set up (details: factor).',
  'factor.removed': 'A second factor was removed (details: factor, or all).',
  'account.created': 'An account was made (details: method).',
  'account.updated': 'An account\'s profile changed (details: the fields).',
  'account.deleted': 'An account was erased with its factors, sessions, grants and tokens.',
  'account.disabled': 'An account was disabled: its sessions, grants and tokens ended.',
  'account.enabled': 'A disabled account was enabled.',
  'role.created': 'A role was made (details: role, is_default).',
  'role.updated': 'A role was renamed or changed (details: role, fields).',
  'role.deleted': 'A role was deleted and taken from everyone who held it (details: role, holders).',
  'role.granted': 'A role was given to an account or a machine client (details: role).',
  'role.revoked': 'A role was taken from an account or a machine client (details: role).',
  'resource.created': 'An API resource was made (details: resource, permissions).',
  'resource.updated': 'An API resource was renamed, or its permissions or token lifetime changed (details: resource, fields).',
  'resource.deleted': 'An API resource was deleted; roles no longer hold its permissions (details: resource).',
  'consent.given': 'A person allowed an application scopes (details: scopes).',
  'consent.revoked': 'What a person allowed an application was forgotten, its grants and tokens ended.',
  'security.undone': 'The owner used "this wasn\'t me": sessions, consents and the password ended, added factors went (details: what).',
  'token.revoked': 'An application revoked an access or refresh token at /token/revocation (details: kind).',
  'sessions.ended': 'Someone else ended every session, grant and token of an account.',
  'client.created': 'An application was registered.',
  'client.updated': 'An application\'s settings changed (details: the fields).',
  'client.secret_rotated': 'An application was given a new secret.',
  'initial_access_token.created': 'An initial access token for dynamic client registration was made (details: expiry).',
  'client.deleted': 'An application was deleted with its grants and tokens.',
  'api_token.created': 'An API token was made (details: its id, name, scopes, expiry).',
  'api_token.revoked': 'An API token was revoked (details: its id, name).',
  'audit_log.exported': 'An administrator downloaded events of the audit log (details: the filter).',
  'key.rotated': 'A new signing key was made (details: kid, alg).',
} as const;

export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

export const isAuditEventType = (value: string): value is AuditEventType => Object.hasOwn(AUDIT_EVENT_TYPES, value);
