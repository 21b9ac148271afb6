// WCAG 2.2 contrast for a deployment's accent colour: links in the accent must reach 4.5:1 on
// the card they sit on (1.4.3), and the text on an accent button is whichever of white and
// black contrasts more with it (one of the two always reaches 4.5:1).

export const LIGHT_CARD = '#ffffff';
export const DARK_CARD = '#1a212b';
const LIGHT_INK = '#ffffff';
const DARK_INK = '#000000';
export const AA_TEXT = 4.5;

/** #rgb or #rrggbb, as #rrggbb in lower case; undefined for anything else. */
export function parseHexColour(value: string): string | undefined {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!match) return undefined;
  const hex = match[1]!.toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((digit) => digit + digit).join('') : hex}`;
}

function luminance(colour: string): number {
  const channel = (offset: number) => {
    const value = parseInt(colour.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The text colour for a button in `accent`. */
export function inkOn(accent: string): string {
  return contrastRatio(accent, LIGHT_INK) >= contrastRatio(accent, DARK_INK) ? LIGHT_INK : DARK_INK;
}
