// The language of the page being answered, chosen once per request (see chooseLanguage) and
// read by whatever renders for it: pages, and mails the request causes. An interaction step
// refines the choice with its authorization request's ui_locales once it has loaded them.
import type { Context, Middleware } from 'koa';
import { chooseLanguage, DEFAULT_LANGUAGE, LANGUAGE_TAGS } from '../libraries/i18n/languages.ts';
import { requestLanguage, runInLanguage } from '../libraries/i18n/request-language.ts';
import { readCookie, type CookieSpec } from '../middleware/koa-cookies.ts';

/** The switcher's choice, for a year: a preference, not a credential, so not signed (read only if it names a language). */
export const LANGUAGE_COOKIE: CookieSpec = { name: 'lk_lang', signed: false, maxAgeMs: 365 * 24 * 60 * 60 * 1000 };

/** What a GET shows this page again: the page itself, or the interaction step a form belongs to. */
function returnPathOf(ctx: Context): string | undefined {
  if (ctx.method === 'GET') return ctx.originalUrl;
  return /^\/interaction\/[^/]+/.exec(ctx.path)?.[0];
}

/** Runs `work` (a request, or the rendering of one of its pages) in the language the request asks for. */
export function inPageLanguage<T>(ctx: Context, work: () => T): T {
  const picked = readCookie(ctx, LANGUAGE_COOKIE) || undefined;
  const accepted = ctx.acceptsLanguages([...LANGUAGE_TAGS]) || undefined;
  return runInLanguage({ tag: chooseLanguage({ picked, accepted }), picked, accepted, returnPath: returnPathOf(ctx) }, work);
}

/** For Latchkey's own pages. The provider's few pages (errors, sign-out) call inPageLanguage when they render. */
export function pageLanguage(): Middleware {
  return (ctx, next) => inPageLanguage(ctx, next);
}

/** The language of the page being answered (English outside a request). */
export function currentLanguage(): string {
  return requestLanguage()?.tag ?? DEFAULT_LANGUAGE;
}

/** The authorization request's ui_locales, which count when the person has not picked a language. */
export function preferUiLocales(uiLocales: unknown): void {
  const state = requestLanguage();
  if (state && typeof uiLocales === 'string') state.tag = chooseLanguage({ picked: state.picked, uiLocales, accepted: state.accepted });
}

/**
 * The language a signed-in person chose on their profile, which counts over what the browser
 * asks (but not over the switcher's choice in this browser).
 */
export function preferAccountLanguage(preferred: string | null): void {
  const state = requestLanguage();
  if (state && preferred && !state.picked) state.tag = chooseLanguage({ picked: preferred, accepted: state.accepted });
}

export function switcherReturnPath(): string | undefined {
  return requestLanguage()?.returnPath;
}
