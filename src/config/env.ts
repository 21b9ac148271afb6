// Every setting Latchkey reads from the environment: its name, default and meaning live
// here, and README's configuration table is generated from this list (npm run docs:config).
import fs from 'node:fs';
import path from 'node:path';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { z } from 'zod';
import { AA_TEXT, contrastRatio, DARK_CARD, inkOn, LIGHT_CARD, parseHexColour } from '../libraries/brand-colours.ts';

export interface Setting {
  name: string;
  default: string | undefined;
  meaning: string;
}

export const settings = [
  { name: 'PORT', default: '3000', meaning: 'TCP port the HTTP server listens on.' },
  { name: 'ISSUER', default: 'http://localhost:$PORT', meaning: 'Public URL of this provider, exactly as relying parties see it (https in production; required when NODE_ENV=production).' },
  { name: 'DATABASE_URL', default: undefined, meaning: 'Postgres connection string. Unset: the embedded database (PGlite) in DATA_DIR.' },
  { name: 'DATA_DIR', default: './data', meaning: 'Directory for the embedded database and the generated development secret.' },
  { name: 'LATCHKEY_SECRET', default: undefined, meaning: 'At least 32 characters; encrypts keys and secrets at rest and signs cookies. Required when NODE_ENV=production; in development one is generated once into DATA_DIR/secret.' },
  { name: 'SMTP_URL', default: undefined, meaning: 'SMTP server for outgoing mail, e.g. smtp://user:pass@mail.example.com:587 (smtps:// for TLS from the start). Required when NODE_ENV=production; unset in development, mails are logged and listed at /dev/mail.' },
  { name: 'MAIL_FROM', default: 'Latchkey <no-reply@localhost>', meaning: 'Sender (From) of outgoing mail.' },
  { name: 'TRUST_PROXY', default: 'false', meaning: 'How many reverse proxies or load balancers stand in front and append to X-Forwarded-For: true means 1. Client IPs and https are then read from X-Forwarded-For/-Proto; false trusts no such header.' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'One of fatal, error, warn, info, debug, trace, silent.' },
  { name: 'NODE_ENV', default: 'development', meaning: 'production turns on the production checks (secret, issuer and SMTP server required).' },
  { name: 'PASSWORD_HASH_MEMORY_KIB', default: '19456', meaning: 'argon2id memory cost in KiB (OWASP: 19456 with 2 iterations).' },
  { name: 'PASSWORD_HASH_ITERATIONS', default: '2', meaning: 'argon2id time cost. Memory × iterations must stay at or above OWASP\'s floor (7168 KiB × 5).' },
  { name: 'PASSWORD_MIN_LENGTH', default: '8', meaning: 'Fewest characters (Unicode code points) a new password may have, 8 to 64: NIST\'s floor is 8, and at least 64 must always be allowed.' },
  { name: 'REGISTRATION', default: 'open', meaning: 'open: anyone may create an account from the sign-in page (with a password or an emailed code); closed: accounts are made by administrators only, and the sign-up link and routes are gone.' },
  { name: 'REQUIRE_VERIFIED_EMAIL', default: 'true', meaning: 'true: an account must prove its email address (mailed link or code) before it can finish signing in to an application; false: unverified accounts may sign in, with email_verified false.' },
  { name: 'MFA_REQUIRED', default: 'off', meaning: 'off: second factors are optional (a relying party may still demand one with acr_values); admins: accounts with the admin role must enrol one at their next sign-in; all: every account must.' },
  { name: 'AUTHORIZATION_RATE_LIMIT', default: '300', meaning: 'Authorization requests one IP address may make per minute (at /auth, and pushed requests of public clients): each stores a sign-in in progress. 0 turns the limit off (load tests).' },
  { name: 'AUTHORIZATION_BY_POST', default: 'on', meaning: 'on: /auth and /session/end accept POST as well as GET (OpenID Connect Core 3.1.2.1, RP-Initiated Logout §2), and the provider\'s session cookie is SameSite=None; Secure so that a cross-site POST carries it (an http ISSUER other than localhost cannot, and gets GET only). off: GET only, and the session cookie is SameSite=Lax.' },
  { name: 'METRICS_ADDRESS', default: '127.0.0.1:9464', meaning: 'HOST:PORT of the listener that serves Prometheus metrics at /metrics, apart from the public port (keep it private); off: no metrics listener.' },
  { name: 'DYNAMIC_REGISTRATION', default: 'off', meaning: 'on: clients may register themselves at /reg (RFC 7591) with an initial access token an admin made (latchkey clients initial-token create), and read, change and delete their registration (RFC 7592); they never get API scopes or skip consent. off: only admins register clients.' },
  { name: 'API_RATE_LIMIT', default: '600', meaning: 'Calls one API token or machine client may make to the admin API and SCIM per minute; 0 turns the limit off.' },
  { name: 'AUDIT_RETENTION_DAYS', default: '400', meaning: 'Days an audit event is kept (1 to 3650); older ones are swept. 400 covers a year of reviews with a margin.' },
  { name: 'BRAND_NAME', default: 'Latchkey', meaning: 'The name people see: page titles and headings, mails, the entry in their authenticator app and the passkey prompt. "Secured by Latchkey" stays, small, at the foot of the pages.' },
  { name: 'BRAND_LOGO_URL', default: undefined, meaning: 'Logo at the top of every page: an https URL, or the name of a PNG, SVG, WebP or JPEG file in DATA_DIR (served at /brand/logo). Mails carry the name only (no remote images).' },
  { name: 'BRAND_COLOR', default: undefined, meaning: 'Accent colour (#rrggbb) of buttons, links and focus rings on light pages; refused unless it reaches 4.5:1 against white (WCAG AA for links). Button text is white or black, whichever contrasts more.' },
  { name: 'BRAND_COLOR_DARK', default: undefined, meaning: 'The accent in dark mode; refused unless it reaches 4.5:1 against the dark card (#1a212b). Unset: Latchkey\'s own dark accent.' },
  { name: 'THEME_CSS', default: undefined, meaning: 'A stylesheet (a path, or a file name in DATA_DIR) served at /brand/theme.css after Latchkey\'s own, to restyle the pages. Scripts and remote resources stay blocked by the pages\' CSP.' },
  { name: 'WEBAUTHN_RP_ID', default: 'host of ISSUER', meaning: 'WebAuthn relying-party ID that passkeys are bound to: the issuer\'s host name, or a parent domain of it (passkeys then also work on its other subdomains). Passkeys stop working if it changes.' },
] as const satisfies readonly Setting[];

type SettingName = (typeof settings)[number]['name'];
export type Environment = Partial<Record<SettingName, string>> & Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const url = (protocols: string[]) =>
  z.string().trim().refine((value) => {
    const parsed = URL.parse(value);
    return parsed !== null && protocols.includes(parsed.protocol);
  }, `must be a ${protocols.join(' or ')} URL`);

/** false/true or a number of proxy hops; only the addresses those hops appended are believed. */
const proxyHops = z.string().trim().regex(/^(true|false|\d)$/, 'must be true, false or a number of proxies (0-9)')
  .transform((value) => (value === 'true' ? 1 : value === 'false' ? 0 : Number(value)));

const schema = z.object({
  PORT: integer(0, 65535),
  ISSUER: url(['http:', 'https:']).optional()
    .refine((value) => !value || (!value.includes('?') && !value.includes('#')), 'must not have a query or fragment'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATA_DIR: z.string().trim().min(1),
  LATCHKEY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().trim().min(3).transform((value, context) => {
    const parsed = addressparser(value, { flatten: true });
    const address = parsed.length === 1 ? parsed[0]!.address : '';
    if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+$/.test(address)) {
      context.addIssue({ code: 'custom', message: 'must be one address, as name@example.com or Name <name@example.com>' });
      return z.NEVER;
    }
    return { header: value, address };
  }),
  TRUST_PROXY: proxyHops,
  LOG_LEVEL: z.enum(LOG_LEVELS),
  NODE_ENV: z.string().trim().min(1),
  PASSWORD_HASH_MEMORY_KIB: integer(7168, 4 * 1024 * 1024),
  PASSWORD_HASH_ITERATIONS: integer(1, 100),
  PASSWORD_MIN_LENGTH: integer(8, 64),
  REGISTRATION: z.enum(['open', 'closed']),
  REQUIRE_VERIFIED_EMAIL: z.enum(['true', 'false']).transform((value) => value === 'true'),
  MFA_REQUIRED: z.enum(['off', 'admins', 'all']),
  AUTHORIZATION_RATE_LIMIT: integer(0, 1_000_000),
  METRICS_ADDRESS: z.string().trim().refine((value) => value === 'off' || /^[\w.-]+:\d{1,5}$|^\[[\da-f:]+\]:\d{1,5}$/i.test(value), 'must be HOST:PORT or off')
    .transform((value) => {
      if (value === 'off') return undefined;
      const at = value.lastIndexOf(':');
      return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(value.slice(at + 1)) };
    }),
  AUDIT_RETENTION_DAYS: integer(1, 3650),
  API_RATE_LIMIT: integer(0, 1_000_000),
  DYNAMIC_REGISTRATION: z.enum(['on', 'off']).transform((value) => value === 'on'),
  AUTHORIZATION_BY_POST: z.enum(['on', 'off']).transform((value) => value === 'on'),
  WEBAUTHN_RP_ID: z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+$/, 'must be a host name').optional(),
  BRAND_NAME: z.string().trim().min(1).max(60, 'must be at most 60 characters').refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters'),
  BRAND_LOGO_URL: z.string().trim().min(1).optional(),
  BRAND_COLOR: z.string().optional(),
  BRAND_COLOR_DARK: z.string().optional(),
  THEME_CSS: z.string().trim().min(1).optional(),
});

export interface Config {
  port: number;
  issuer: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** undefined until resolveSecret() fills it in (a generated development secret lives in DATA_DIR). */
  secret: string | undefined;
  smtpUrl: string | undefined;
  /** The From header as configured, and its address alone (the SMTP envelope sender). */
  mailFrom: { header: string; address: string };
  /** Reverse proxies in front (0: none); X-Forwarded-* is believed for exactly that many hops. */
  proxyHops: number;
  logLevel: (typeof LOG_LEVELS)[number];
  production: boolean;
  passwordHash: { memoryKiB: number; iterations: number };
  /** Fewest code points a new password may have; the most stays PASSWORD_MAX_LENGTH. */
  passwordMinLength: number;
  /** Days an audit event is kept before the sweep removes it. */
  auditRetentionDays: number;
  /** Calls per minute one API caller may make (0: no limit). */
  apiRateLimit: number;
  /** Clients may register themselves with an initial access token (RFC 7591, 7592). */
  dynamicRegistration: boolean;
  registration: 'open' | 'closed';
  /** Unverified accounts are offered verification instead of finishing a sign-in. */
  requireVerifiedEmail: boolean;
  mfaRequired: 'off' | 'admins' | 'all';
  /** Authorization requests per IP and minute; 0: unlimited. */
  authorizationRateLimit: number;
  /** /auth and /session/end accept POST; the provider's session cookie is then SameSite=None; Secure. */
  authorizationByPost: boolean;
  /** Where Prometheus metrics are served; undefined: nowhere. */
  metricsAddress: { host: string; port: number } | undefined;
  /** WebAuthn RP ID and the origin its ceremonies must come from (the issuer's). */
  webauthn: { rpId: string; origin: string };
  brand: Brand;
}

export interface Brand {
  name: string;
  /** An https URL, or a file in DATA_DIR served at /brand/logo. */
  logo: { url: string } | { file: string; type: string } | undefined;
  /** Accent colours that passed the contrast check, with the text colour for buttons in them. */
  colours: { light?: { accent: string; ink: string }; dark?: { accent: string; ink: string } };
  /** A stylesheet file served at /brand/theme.css. */
  themeCss: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment; throws ConfigError naming every bad setting. */
export function loadConfig(env: Environment = process.env): Config {
  const input: Record<string, string | undefined> = {};
  for (const setting of settings) {
    const raw = env[setting.name];
    input[setting.name] = raw === undefined || raw === '' ? setting.default : raw;
  }
  // These defaults depend on other settings.
  delete input.ISSUER;
  if (env.ISSUER) input.ISSUER = env.ISSUER;
  delete input.WEBAUTHN_RP_ID;
  if (env.WEBAUTHN_RP_ID) input.WEBAUTHN_RP_ID = env.WEBAUTHN_RP_ID;

  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  const production = values.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && !values.LATCHKEY_SECRET) problems.push('LATCHKEY_SECRET is required when NODE_ENV=production');
  if (production && !values.ISSUER) problems.push('ISSUER is required when NODE_ENV=production');
  if (production && !values.SMTP_URL) problems.push('SMTP_URL is required when NODE_ENV=production');
  // Latchkey itself speaks plain HTTP: an https issuer is reached through a proxy, and without
  // TRUST_PROXY no cookie could be Secure, so browsers would refuse the __Host- session cookie.
  if (production && values.ISSUER?.startsWith('https:') && values.TRUST_PROXY === 0) {
    problems.push('TRUST_PROXY must name the proxies in front when ISSUER is https (Latchkey serves plain HTTP behind them)');
  }
  if (values.PASSWORD_HASH_MEMORY_KIB * values.PASSWORD_HASH_ITERATIONS < 7168 * 5) {
    problems.push('PASSWORD_HASH_MEMORY_KIB × PASSWORD_HASH_ITERATIONS must be at least 35840 (OWASP minimum for argon2id)');
  }
  const issuer = (values.ISSUER ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  const issuerHost = new URL(issuer).hostname;
  const webauthnRpId = values.WEBAUTHN_RP_ID ?? issuerHost;
  // WebAuthn only lets a page use its own host or a parent domain of it as RP ID.
  if (webauthnRpId !== issuerHost && !issuerHost.endsWith(`.${webauthnRpId}`)) {
    problems.push(`WEBAUTHN_RP_ID must be ${issuerHost} or a parent domain of it`);
  }
  const brand = loadBrand(values, path.resolve(values.DATA_DIR), problems);
  if (problems.length) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);

  return {
    port: values.PORT,
    issuer,
    databaseUrl: values.DATABASE_URL,
    dataDir: path.resolve(values.DATA_DIR),
    secret: values.LATCHKEY_SECRET,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    proxyHops: values.TRUST_PROXY,
    logLevel: values.LOG_LEVEL,
    production,
    passwordHash: { memoryKiB: values.PASSWORD_HASH_MEMORY_KIB, iterations: values.PASSWORD_HASH_ITERATIONS },
    passwordMinLength: values.PASSWORD_MIN_LENGTH,
    auditRetentionDays: values.AUDIT_RETENTION_DAYS,
    apiRateLimit: values.API_RATE_LIMIT,
    dynamicRegistration: values.DYNAMIC_REGISTRATION,
    registration: values.REGISTRATION,
    requireVerifiedEmail: values.REQUIRE_VERIFIED_EMAIL,
    mfaRequired: values.MFA_REQUIRED,
    authorizationRateLimit: values.AUTHORIZATION_RATE_LIMIT,
    // A SameSite=None cookie must be Secure, and browsers take a Secure cookie over http from localhost only.
 metricsAddress: values.METRICS_ADDRESS,
    authorizationByPost: values.AUTHORIZATION_BY_POST && (new URL(issuer).protocol === 'https:' || isLoopbackHost(issuerHost)),
    webauthn: { rpId: webauthnRpId, origin: new URL(issuer).origin },
    brand,
  };
}

const LOGO_TYPES: Record<string, string> = { '.png': 'image/png', '.svg': 'image/svg+xml', '.webp': 'image/webp', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

/** A file named in a setting: an absolute path, or a plain name in DATA_DIR (never a way out of it). */
function settingFile(value: string, dataDir: string, setting: string, problems: string[]): string | undefined {
  const file = path.isAbsolute(value) ? value : /^[\w][\w.-]*$/.test(value) ? path.join(dataDir, value) : undefined;
  if (!file) problems.push(`${setting} must be an https URL, an absolute path or a file name in DATA_DIR`);
  else if (!fs.existsSync(file) || !fs.statSync(file).isFile()) problems.push(`${setting}: no file at ${file}`);
  else return file;
  return undefined;
}

function loadBrand(values: z.infer<typeof schema>, dataDir: string, problems: string[]): Brand {
  let logo: Brand['logo'];
  const logoSetting = values.BRAND_LOGO_URL;
  if (logoSetting?.startsWith('https://') && URL.canParse(logoSetting)) logo = { url: logoSetting };
  else if (logoSetting) {
    const type = LOGO_TYPES[path.extname(logoSetting).toLowerCase()];
    if (!type) problems.push('BRAND_LOGO_URL must be an https URL or a .png, .svg, .webp or .jpg file');
    else {
      const file = settingFile(logoSetting, dataDir, 'BRAND_LOGO_URL', problems);
      if (file) logo = { file, type };
    }
  }
  const colours: Brand['colours'] = {};
  for (const [setting, scheme, card] of [['BRAND_COLOR', 'light', LIGHT_CARD], ['BRAND_COLOR_DARK', 'dark', DARK_CARD]] as const) {
    const raw = values[setting];
    if (raw === undefined || raw === '') continue;
    const accent = parseHexColour(raw);
    if (!accent) {
      problems.push(`${setting} must be a colour as #rrggbb`);
      continue;
    }
    const ratio = contrastRatio(accent, card);
    if (ratio < AA_TEXT) {
      problems.push(`${setting} ${accent} has a contrast of ${ratio.toFixed(2)}:1 against the ${scheme} card (${card}); links need 4.5:1 (WCAG AA): choose a ${scheme === 'light' ? 'darker' : 'lighter'} colour`);
      continue;
    }
    colours[scheme] = { accent, ink: inkOn(accent) };
  }
  const themeCss = values.THEME_CSS ? settingFile(values.THEME_CSS, dataDir, 'THEME_CSS', problems) : undefined;
  return { name: values.BRAND_NAME, logo, colours, themeCss };
}

/** localhost, 127.0.0.1 or [::1]: a host browsers treat as a secure context even over http. */
export const isLoopbackHost = (host: string) => ['localhost', '127.0.0.1', '[::1]'].includes(host);

/** Warnings about settings that are fine on a laptop and wrong in production. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.production && new URL(config.issuer).protocol !== 'https:') {
    warnings.push(`ISSUER ${config.issuer} is not https: cookies are not Secure and tokens travel in clear text`);
  }
  if (new URL(config.issuer).protocol === 'https:' && config.proxyHops === 0) {
    warnings.push('ISSUER is https but TRUST_PROXY is false: behind a TLS-terminating proxy set TRUST_PROXY=true, or cookies are not marked Secure');
  }
  const url = new URL(config.issuer);
  if (!config.authorizationByPost && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    warnings.push(`/auth and /session/end take GET only: POST needs a SameSite=None session cookie, which must be Secure, and ${config.issuer} is plain http`);
  }
  if (config.production && !config.databaseUrl) {
    warnings.push('DATABASE_URL is unset: the embedded database serves one process only; use Postgres in production');
  }
  return warnings;
}

/** README's configuration table, made from the same list the code reads. */
export function configTableMarkdown(): string {
  const rows = settings.map((s) => `| \`${s.name}\` | ${s.default === undefined ? '—' : `\`${s.default}\``} | ${s.meaning} |`);
  return ['| name | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
