// Browsers that have signed in to an account before carry that account's tag in a cookie.
// Strangers failing on an account lock out new devices only, never the owner's known ones
// (OWASP's "device cookies" defence against lockout abuse).
const TAG = /^[A-Za-z0-9_-]{22}$/;
const MAX_ACCOUNTS_PER_DEVICE = 5;

export function parseKnownDevices(cookie: string | undefined): string[] {
  return (cookie ?? '').split('.').filter((tag) => TAG.test(tag)).slice(-MAX_ACCOUNTS_PER_DEVICE);
}

export function rememberKnownDevice(tags: string[], tag: string): string {
  return [...tags.filter((t) => t !== tag), tag].slice(-MAX_ACCOUNTS_PER_DEVICE).join('.');
}
