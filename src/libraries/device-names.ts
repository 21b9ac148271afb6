// What a person or an administrator reads about a signed-in browser: its browser and system named
// from the User-Agent header (by bowser, MIT), beside the IP and header kept with the session.
import Bowser from 'bowser';
import { phrase, type Phrase } from './i18n/phrase.ts';

/** The adapter keeps at most this much of the header; a longer one (from elsewhere) is cut alike. */
const USER_AGENT_MAX = 400;

export interface DeviceNames {
  /** "Chrome 126", "Safari 17.4"; null when the header names no browser bowser knows. */
  browser: string | null;
  /** "Windows 10", "macOS", "Android 14"; null when unknown. */
  os: string | null;
}

/** The major version only: "126.0.6478.71" says nothing more to a person looking for their browser. */
const major = (version: string | undefined) => version?.split('.')[0];

const named = (...parts: Array<string | undefined>) => parts.filter(Boolean).join(' ') || null;

/** Browser and system of a User-Agent header (nulls when there is none or it names nothing known). */
export function deviceNames(userAgent: string | null | undefined): DeviceNames {
  const header = userAgent?.slice(0, USER_AGENT_MAX).trim();
  if (!header) return { browser: null, os: null };
  const { browser, os } = Bowser.parse(header);
  // macOS browsers all say 10.15.7 whatever the release, so its version would mislead; Windows says "NT 10.0" (versionName "10").
  const osVersion = os.name === 'macOS' ? undefined : os.name === 'Windows' ? os.versionName : os.version;
  return { browser: named(browser.name, major(browser.version)), os: named(os.name, osVersion) };
}

/** "Chrome 126 on Windows 10", "Unknown browser": worded in the page's or mail's language. */
export function deviceName({ browser, os }: DeviceNames): Phrase {
  const named = browser ?? phrase('account.devices.unknownBrowser');
  return os ? phrase('account.devices.browserOn', { browser: named, os }) : typeof named === 'string' ? phrase('account.devices.browserOnly', { browser: named }) : named;
}

export interface DeviceFacts extends DeviceNames {
  ip: string | null;
  /** The header as the session last sent it (at most 400 characters). */
  user_agent: string | null;
}

/** What a stored session says of the browser it was last saved from (`latchkey_device`, see oidc/adapter.ts), named. */
export function describeDevice(device: unknown): DeviceFacts {
  const known = typeof device === 'object' && device !== null ? device as Record<string, unknown> : {};
  const userAgent = typeof known.user_agent === 'string' ? known.user_agent : null;
  return { ip: typeof known.ip === 'string' ? known.ip : null, user_agent: userAgent, ...deviceNames(userAgent) };
}
