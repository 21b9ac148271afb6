// A sentence a library decides on but does not word: a catalogue key and its values, worded in
// whatever language the page or mail it ends up in speaks. A value may itself be a phrase, a list
// of phrases (joined as the language joins lists: "A, B and C"), or a moment (in that language, UTC).
import type { Translate } from './catalogue.ts';

export interface Phrase {
  key: string;
  values?: Record<string, PhraseValue>;
}

export type PhraseValue = string | number | Date | Phrase | Phrase[];

export const phrase = (key: string, values?: Record<string, PhraseValue>): Phrase => ({ key, values });

const isPhrase = (value: unknown): value is Phrase => typeof value === 'object' && value !== null && 'key' in value;

/** Words a phrase (or several, one after the other) in one language. */
export function say(t: Translate, lang: string, phrases: Phrase | Phrase[]): string {
  const word = (value: PhraseValue): string | number => {
    if (value instanceof Date) return `${new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(value)} UTC`;
    if (Array.isArray(value)) return new Intl.ListFormat(lang, { type: 'conjunction' }).format(value.map((item) => String(word(item))));
    if (isPhrase(value)) return say(t, lang, value);
    return value;
  };
  if (Array.isArray(phrases)) return phrases.map((one) => say(t, lang, one)).join(' ');
  const values = Object.fromEntries(Object.entries(phrases.values ?? {}).map(([name, value]) => [name, word(value)]));
  return t(phrases.key, values);
}
