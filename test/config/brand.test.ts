// BRAND_* and THEME_CSS are checked at start: a colour that links could not be read in, a logo
// or stylesheet that is not there or lies outside DATA_DIR, is refused with words that say why.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrastRatio, inkOn } from '../../src/libraries/brand-colours.ts';
import { loadConfig } from '../../src/config/env.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-brand-'));
fs.writeFileSync(path.join(dataDir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
fs.writeFileSync(path.join(dataDir, 'theme.css'), '.card { border-radius: 0; }');
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env });

describe('brand settings', () => {
  it('default to Latchkey, with no logo, colours or theme', () => {
    expect(load({}).brand).toEqual({ name: 'Latchkey', logo: undefined, colours: {}, themeCss: undefined });
  });

  it('take a name, a logo by URL or in DATA_DIR, colours that reach AA, and a theme', () => {
    const brand = load({ BRAND_NAME: ' Acme ID ', BRAND_LOGO_URL: 'logo.svg', BRAND_COLOR: '#0B5E3A', BRAND_COLOR_DARK: '#8fd3b0', THEME_CSS: 'theme.css' }).brand;
    expect(brand).toEqual({
      name: 'Acme ID',
      logo: { file: path.join(dataDir, 'logo.svg'), type: 'image/svg+xml' },
      colours: { light: { accent: '#0b5e3a', ink: '#ffffff' }, dark: { accent: '#8fd3b0', ink: '#000000' } },
      themeCss: path.join(dataDir, 'theme.css'),
    });
    expect(load({ BRAND_LOGO_URL: 'https://cdn.example/acme.png' }).brand.logo).toEqual({ url: 'https://cdn.example/acme.png' });
    expect(load({ BRAND_COLOR: '#036' }).brand.colours.light).toEqual({ accent: '#003366', ink: '#ffffff' }); // the short form
  });

  it('refuse a colour links could not be read in, naming the contrast it has', () => {
    expect(() => load({ BRAND_COLOR: '#ffcc00' })).toThrow(/BRAND_COLOR #ffcc00 has a contrast of 1\.\d\d:1 against the light card \(#ffffff\); links need 4\.5:1 \(WCAG AA\): choose a darker colour/);
    expect(() => load({ BRAND_COLOR_DARK: '#2452c6' })).toThrow(/BRAND_COLOR_DARK #2452c6 .* choose a lighter colour/);
    expect(() => load({ BRAND_COLOR: 'green' })).toThrow(/BRAND_COLOR must be a colour as #rrggbb/);
  });

  it('refuse a logo or theme that is missing, of another kind, or outside DATA_DIR', () => {
    expect(() => load({ BRAND_LOGO_URL: 'http://cdn.example/acme.png' })).toThrow(/BRAND_LOGO_URL must be an https URL/);
    expect(() => load({ BRAND_LOGO_URL: 'missing.png' })).toThrow(/BRAND_LOGO_URL: no file at .*missing\.png/);
    expect(() => load({ BRAND_LOGO_URL: '../../etc/hostname.png' })).toThrow(/BRAND_LOGO_URL must be an https URL, an absolute path or a file name in DATA_DIR/);
    expect(() => load({ BRAND_LOGO_URL: 'theme.css' })).toThrow(/\.png, \.svg, \.webp or \.jpg/);
    expect(() => load({ THEME_CSS: 'nope.css' })).toThrow(/THEME_CSS: no file at/);
    expect(() => load({ BRAND_NAME: 'x'.repeat(61) })).toThrow(/BRAND_NAME must be at most 60 characters/);
  });

  it('puts white or black text on the accent, whichever reaches AA', () => {
    for (const accent of ['#0b5e3a', '#2452c6', '#7aa2ff', '#ffcc00', '#777777', '#000000', '#ffffff']) {
      expect(contrastRatio(accent, inkOn(accent)), accent).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
  });
});
