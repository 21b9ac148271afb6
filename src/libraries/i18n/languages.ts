// The languages Latchkey's pages and mails are written in, and which one a person gets: the one
// they picked on a page (remembered in a cookie) wins, then the authorization request's
// ui_locales (OIDC Core 3.1.2.1), then the browser's Accept-Language, then English. A language
// is added with a catalogue in locales/ and a line here.

export interface Language {
  /** BCP 47 primary tag, as in <html lang> and the catalogue's file name. */
  tag: string;
  /** Its name in itself, for the switcher. */
  name: string;
  dir: 'ltr' | 'rtl';
}

export const LANGUAGES: readonly Language[] = [
  { tag: 'en', name: 'English', dir: 'ltr' },
  { tag: 'de', name: 'Deutsch', dir: 'ltr' },
  { tag: 'fr', name: 'Français', dir: 'ltr' },
];

export const DEFAULT_LANGUAGE = 'en';
export const LANGUAGE_TAGS: readonly string[] = LANGUAGES.map((language) => language.tag);

/** The supported language a BCP 47 tag asks for (de-CH is de), or undefined. */
export function supportedLanguage(tag: string | undefined): string | undefined {
  const primary = tag?.trim().split(/[-_]/)[0]?.toLowerCase();
  return primary && LANGUAGE_TAGS.includes(primary) ? primary : undefined;
}

export function languageNamed(tag: string): Language {
  return LANGUAGES.find((language) => language.tag === tag) ?? LANGUAGES[0]!;
}

/**
 * The language for a page: `picked` (the switcher's cookie), else the first supported tag of
 * `uiLocales` (space-separated, in order of preference), else `accepted` (the best match of
 * Accept-Language, already negotiated), else English.
 */
export function chooseLanguage({ picked, uiLocales, accepted }: { picked?: string; uiLocales?: string; accepted?: string }): string {
  return supportedLanguage(picked)
    ?? uiLocales?.split(' ').map(supportedLanguage).find(Boolean)
    ?? supportedLanguage(accepted)
    ?? DEFAULT_LANGUAGE;
}
