// The message catalogues (locales/<tag>.json) behind every page and mail, through i18next:
// interpolation ({{name}}), plurals by Intl.PluralRules (key_one, key_other), English where a
// catalogue lacks a key (a test fails before that ships). Values are not escaped here: EJS
// escapes what a page prints, and keys ending in "Html" are printed as they are, their values
// escaped by t() itself.
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { DEFAULT_LANGUAGE, LANGUAGE_TAGS } from './languages.ts';

export const localesDirectory = path.resolve(import.meta.dirname, '../../../locales');

export type Catalogue = Record<string, unknown>;

export function readCatalogue(tag: string): Catalogue {
  return JSON.parse(fs.readFileSync(path.join(localesDirectory, `${tag}.json`), 'utf8')) as Catalogue;
}

const instance = i18next.createInstance();
void instance.init({
  initAsync: false, // the resources are here: ready before the first page
  resources: Object.fromEntries(LANGUAGE_TAGS.map((tag) => [tag, { translation: readCatalogue(tag) }])),
  supportedLngs: [...LANGUAGE_TAGS],
  fallbackLng: DEFAULT_LANGUAGE,
  interpolation: { escapeValue: false },
  nsSeparator: false, // one namespace: a colon in a key is just a colon
  returnNull: false,
});

export type Translate = (key: string, values?: Record<string, unknown>) => string;

/** Whether the catalogues have `key` (in English, which every other catalogue mirrors). */
export const hasMessage = (key: string) => instance.exists(key, { lng: DEFAULT_LANGUAGE });

/** Text made safe to put into HTML as it is (what EJS's <%= does). */
export const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** t() in one language. For keys ending in "Html" the values are escaped, so the result can be printed raw. */
export function translator(tag: string): Translate {
  const t: TFunction = instance.getFixedT(tag);
  return (key, values) => {
    if (!key.endsWith('Html') || !values) return String(t(key, values as never));
    const escaped = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, name === 'count' ? value : escapeHtml(value)]));
    return String(t(key, escaped as never));
  };
}
