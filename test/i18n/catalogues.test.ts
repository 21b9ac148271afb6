// The message catalogues: every language has exactly English's keys (plural forms aside, which
// follow each language's rules), every key the pages and code use exists, and no catalogue
// keeps keys nobody uses. Keys are found as the string literals they are written as; the few
// built at run time (errorPage.<code>, scopes.<name>, messages.<code>) from the lists they come from.
import { isAuditEventType } from '../../src/libraries/audit/events.ts';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalogue, translator } from '../../src/libraries/i18n/catalogue.ts';
import { LANGUAGE_TAGS } from '../../src/libraries/i18n/languages.ts';
import { EXPLAINED_ERRORS } from '../../src/pages/error-page.ts';
import { DESCRIBED_SCOPES } from '../../src/routes/interaction/consent.ts';

const root = path.resolve(import.meta.dirname, '../..');
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

function flatten(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null ? flatten(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`]);
}

function sources(directory: string, extension: RegExp): string {
  return fs.readdirSync(path.join(root, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => extension.test(file))
    .map((file) => fs.readFileSync(path.join(root, directory, file), 'utf8')).join('\n');
}

const english = flatten(readCatalogue('en'));
const code = `${sources('views', /\.ejs$/)}\n${sources('src', /\.ts$/)}`;
const literals = new Set([...code.matchAll(/['"`]([a-zA-Z]+(?:\.[a-zA-Z_]+)+)['"`]/g)].map((match) => match[1]!)
  .filter((literal) => !/\.(ejs|ts|js|json|css|svg)$/.test(literal)) // file names are not keys
  .filter((literal) => !isAuditEventType(literal) || english.includes(literal))); // nor are audit event types
const built = new Set([
  ...[...EXPLAINED_ERRORS, 'other'].flatMap((error) => [`errorPage.${error}.heading`, `errorPage.${error}.explanation`]),
  ...DESCRIBED_SCOPES.map((scope) => `scopes.${scope}`),
  // a refusal's words, for each code a library refuses with
  ...english.filter((key) => key.startsWith('messages.') && code.includes(`'${key.slice('messages.'.length)}'`)),
]);
const namespaces = new Set(english.map((key) => key.split('.')[0]!));

describe('message catalogues', () => {
  it('have the same keys in every language', () => {
    const base = (keys: string[]) => [...new Set(keys.map((key) => key.replace(PLURAL_SUFFIX, '')))].sort();
    for (const tag of LANGUAGE_TAGS) expect(base(flatten(readCatalogue(tag))), tag).toEqual(base(english));
  });

  it('have every key the pages and the code use', () => {
    const used = [...literals].filter((literal) => namespaces.has(literal.split('.')[0]!));
    expect(used.length).toBeGreaterThan(50);
    const missing = used.filter((key) => !english.includes(key) && !english.some((k) => k.replace(PLURAL_SUFFIX, '') === key));
    expect(missing).toEqual([]);
  });

  it('keep no key nobody uses', () => {
    const unused = english.filter((key) => !literals.has(key.replace(PLURAL_SUFFIX, '')) && !built.has(key));
    expect(unused).toEqual([]);
  });

  it('keep the placeholders of each English sentence in its translations', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}|<(\/?\w+)>/g)].map((match) => match[0]).sort();
    const englishText = translator('en');
    for (const tag of LANGUAGE_TAGS) {
      const catalogue = readCatalogue(tag);
      for (const key of flatten(catalogue)) {
        const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue) as string;
        const source = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], readCatalogue('en'));
        const reference = typeof source === 'string' ? source : englishText(key.replace(PLURAL_SUFFIX, ''), { count: 2 });
        expect(placeholders(value), `${tag} ${key}`).toEqual(placeholders(reference));
      }
    }
  });

  it('count with each language\'s plural rules', () => {
    expect(translator('en')('wait.seconds', { count: 1 })).toBe('1 second');
    expect(translator('en')('wait.minutes', { count: 5 })).toBe('5 minutes');
    expect(translator('de')('wait.minutes', { count: 1 })).toBe('1 Minute');
    expect(translator('fr')('wait.seconds', { count: 0 })).toBe('0 seconde'); // French counts zero as one
    expect(translator('fr')('wait.seconds', { count: 2 })).toBe('2 secondes');
  });
});
