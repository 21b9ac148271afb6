// Renders an EJS page from views/ inside the one layout, in the language of the request (see
// page-language.ts): every page gets t() for its words, say() for a library's phrases,
// formatDate() for days, the language's tag and direction, the switcher's links, and the
// deployment's brand (name, logo, stylesheets). Templates
// escape by default; only the layout's body slot, provider-made forms and catalogue entries
// whose key ends in "Html" are inserted unescaped.
import path from 'node:path';
import ejs from 'ejs';
import { escapeHtml, translator } from '../libraries/i18n/catalogue.ts';
import { LANGUAGES, languageNamed } from '../libraries/i18n/languages.ts';
import { say, type Phrase } from '../libraries/i18n/phrase.ts';
import type { BrandAssets } from './brand-assets.ts';
import { waitInWords } from './error-text.ts';
import type { FormProblem } from './form-problem.ts';
import { currentLanguage, switcherReturnPath } from './page-language.ts';

export const viewsDirectory = path.resolve(import.meta.dirname, '../../views');

export interface PageLocals {
  /** The catalogue key of the page's title. */
  title: string;
  /** False on a page that cannot be shown again (recovery codes): no language switcher there. */
  languageSwitcher?: boolean;
  /** The frame around the page: 'layout' (a card, the hosted pages) unless the page says ('admin/layout'). */
  layout?: string;
  [name: string]: unknown;
}

export type RenderPage = (view: string, locals: PageLocals) => Promise<string>;

/** The switcher's links: each language, and the page to come back to in it. */
function switcherLinks(current: string, returnPath: string | undefined) {
  if (!returnPath) return [];
  return LANGUAGES.map((language) => ({
    ...language,
    current: language.tag === current,
    href: `/language?${new URLSearchParams({ lang: language.tag, return: returnPath })}`,
  }));
}

/** A day in the page's language ("3 Dec 2026", "3. Dez. 2026"), UTC: the person's zone is not known. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function formatDay(lang: string) {
  let format = dayFormats.get(lang);
  if (!format) dayFormats.set(lang, (format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' })));
  return (date: Date | null | undefined) => (date ? format.format(date) : '');
}

/** A moment in the page's language, to the minute, UTC (said, since the person's zone is not known). */
const momentFormats = new Map<string, Intl.DateTimeFormat>();
function formatMoment(lang: string) {
  let format = momentFormats.get(lang);
  if (!format) momentFormats.set(lang, (format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC', hourCycle: 'h23' })));
  return (date: Date | null | undefined) => (date ? `${format.format(date)} UTC` : '');
}

/**
 * A form's problem as the templates use it: `field(id)` gives an input its aria-invalid,
 * aria-describedby (with the ids it already has) and autofocus (by default on the first input,
 * on the refused one when there is one); `fieldError(id)` is the message under it; `banner` the
 * message that belongs to no field.
 */
function formHelpers(error: unknown) {
  const problem: FormProblem | undefined = typeof error === 'object' && error !== null ? error as FormProblem
    : typeof error === 'string' && error ? { text: error, field: undefined } : undefined;
  return {
    banner: problem && !problem.field ? problem.text : '',
    field(id: string, { focus = false, describedBy = [] as string[] } = {}) {
      const invalid = problem?.field === id;
      const described = [...describedBy, ...(invalid ? [`${id}-error`] : [])];
      return [
        ...(invalid ? [' aria-invalid="true"'] : []),
        ...(described.length ? [` aria-describedby="${described.join(' ')}"`] : []),
        ...((problem?.field ? invalid : focus) ? [' autofocus'] : []),
      ].join('');
    },
    fieldError: (id: string) => (problem?.field === id ? `<p id="${id}-error" class="field-error">${escapeHtml(problem.text)}</p>` : ''),
    problemField: problem?.field,
  };
}

/** Templates are compiled once per process and rendered from the cache (a changed template shows after a restart). */
export function createPageRenderer(brand: BrandAssets): RenderPage {
  const render = (file: string, locals: object) =>
    ejs.renderFile(path.join(viewsDirectory, file), locals, { cache: true, async: false, root: viewsDirectory });
  return async (view, locals) => {
    const lang = currentLanguage();
    const t = translator(lang);
    const page = {
      ...locals, ...formHelpers(locals.error), brand, t, lang, dir: languageNamed(lang).dir, formatDate: formatDay(lang), formatDateTime: formatMoment(lang),
      say: (phrases: Phrase | Phrase[]) => say(t, lang, phrases),
      waitInWords: (seconds: number) => waitInWords(t, seconds),
      languages: locals.languageSwitcher === false ? [] : switcherLinks(lang, switcherReturnPath()),
    };
    return render(`${locals.layout ?? 'layout'}.ejs`, { ...page, body: await render(`${view}.ejs`, page) });
  };
}
