// Which redirect URIs a client may register: https anywhere, http only on this machine's
// loopback, and for native apps a private-use scheme in reverse-domain form (RFC 8252).
// RFC 8252 §7.3 and §8.3: a native app listens on a loopback IP literal (127.0.0.1 or [::1]) on
// whatever port it got, so those may vary; http://localhost is for browser apps in development
// and is matched exactly.
import { RequestError } from './errors.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export type RedirectUriKind = 'web' | 'loopback-ip' | 'private-use';

export function checkRedirectUri(value: string, label: string): RedirectUriKind {
  const fail = (why: string): never => {
    throw new RequestError('invalid_redirect_uri', 400, `${label} ${value} ${why}`);
  };
  const url = URL.parse(value);
  if (!url) return fail('is not an absolute URI');
  if (value.includes('#')) fail('must not have a fragment');
  if (url.username || url.password) fail('must not carry credentials');
  if (url.protocol === 'https:') return 'web';
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) fail('must use https (http is allowed only for localhost, 127.0.0.1 and [::1])');
    return url.hostname === 'localhost' ? 'web' : 'loopback-ip';
  }
  if (!/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) {
    fail('must use https, http on loopback, or a reverse-domain private-use scheme such as com.example.app:/callback');
  }
  return 'private-use';
}
