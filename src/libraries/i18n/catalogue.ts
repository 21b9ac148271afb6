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

/** Adds `extra`'s keys to `into`; a key both give a value is a mistake. */
function mergeInto(into: Catalogue, extra: Catalogue, file: string): Catalogue {
  for (const [key, value] of Object.entries(extra)) {
    const existing = into[key];
    if (existing === undefined) into[key] = value;
    else if (typeof existing === 'object' && typeof value === 'object' && existing && value) mergeInto(existing as Catalogue, value as Catalogue, file);
    else throw new Error(`${file} gives ${key} a second value`);
  }
  return into;
}

/** Folders of locales/ with one file per page (<page>.<tag>.json): the account area's and the admin console's. */
const PAGE_FOLDERS = ['account', 'console'];

/**
 * A language's catalogue: locales/<tag>.json (hosted pages and mails) with the account area's
 * and the admin console's, one file per page (locales/<folder>/<page>.<tag>.json), merged into one tree.
 */
export function readCatalogue(tag: string): Catalogue {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(localesDirectory, file), 'utf8')) as Catalogue;
  const pageFiles = PAGE_FOLDERS.flatMap((folder) => fs.readdirSync(path.join(localesDirectory, folder))
    .filter((name) => name.endsWith(`.${tag}.json`)).sort().map((name) => `${folder}/${name}`));
  return pageFiles.reduce((catalogue, file) => mergeInto(catalogue, read(file), file), read(`${tag}.json`));
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
