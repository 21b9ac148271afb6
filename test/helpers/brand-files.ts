// A deployment's brand files for tests: an SVG logo (with a script in it, which must never run)
// and a theme stylesheet, in a directory of their own; and the settings that use them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ACME_GREEN = '#0b5e3a';
export const ACME_THEME = '.card { border-radius: 4px; }';

export function acmeBrand(): Record<string, string> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-brand-'));
  const logo = path.join(directory, 'acme.svg');
  fs.writeFileSync(logo, `<svg xmlns="http://www.w3.org/2000/svg" width="150" height="36" viewBox="0 0 150 36"><script>alert(1)</script><circle cx="18" cy="18" r="16" fill="${ACME_GREEN}"/><text x="42" y="25" font-family="sans-serif" font-size="20" font-weight="700" fill="${ACME_GREEN}">Acme</text></svg>`);
  const theme = path.join(directory, 'acme.css');
  fs.writeFileSync(theme, ACME_THEME);
  return { BRAND_NAME: 'Acme ID', BRAND_LOGO_URL: logo, BRAND_COLOR: ACME_GREEN, THEME_CSS: theme };
}
