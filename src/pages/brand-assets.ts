// What a deployment's brand adds to every page: its name, its logo (a URL, or a file served at
// /brand/logo) and its stylesheets (the accent colours worked out from BRAND_COLOR, then
// THEME_CSS), each with a version in its URL so that a changed file is fetched anew.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Brand } from '../config/env.ts';

export interface BrandAssets {
  name: string;
  logoUrl: string | undefined;
  /** Stylesheet URLs, after Latchkey's own. */
  stylesheets: string[];
  /** The generated colours stylesheet, if any colour is set. */
  coloursCss: string | undefined;
}

const version = (content: string | Buffer) => crypto.createHash('sha256').update(content).digest('base64url').slice(0, 10);

function coloursStylesheet({ light, dark }: Brand['colours']): string | undefined {
  const rule = (colours: { accent: string; ink: string }) => `--accent: ${colours.accent}; --accent-ink: ${colours.ink};`;
  const parts = [
    ...(light ? [`:root { ${rule(light)} }`] : []),
    ...(dark ? [`@media (prefers-color-scheme: dark) { :root { ${rule(dark)} } }`] : []),
  ];
  return parts.length ? `/* BRAND_COLOR, BRAND_COLOR_DARK */\n${parts.join('\n')}\n` : undefined;
}

/** Read once at start: a changed logo or theme shows after a restart. */
export function brandAssets(brand: Brand): BrandAssets {
  const coloursCss = coloursStylesheet(brand.colours);
  const logoUrl = brand.logo && ('url' in brand.logo ? brand.logo.url : `/brand/logo?v=${version(fs.readFileSync(brand.logo.file))}`);
  return {
    name: brand.name,
    logoUrl,
    coloursCss,
    stylesheets: [
      ...(coloursCss ? [`/brand/colours.css?v=${version(coloursCss)}`] : []),
      ...(brand.themeCss ? [`/brand/theme.css?v=${version(fs.readFileSync(brand.themeCss))}`] : []),
    ],
  };
}
