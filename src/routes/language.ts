// The language switcher on every page: remembers the language picked and shows the page again.
// Only a path on this site is followed back, so the link cannot send anyone elsewhere.
import type Router from '@koa/router';
import { supportedLanguage } from '../libraries/i18n/languages.ts';
import { writeCookie } from '../middleware/koa-cookies.ts';
import { LANGUAGE_COOKIE } from '../pages/page-language.ts';

/**
 * A path on this site, as the browser will read it: parsed the way a browser parses a Location
 * (tabs and newlines dropped, "\\" as "/"), so "//host", "/\\host" or "/<tab>/host" never leave it.
 */
function localPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  const base = 'http://latchkey.invalid';
  const url = URL.parse(value, base);
  return url && url.origin === base ? `${url.pathname}${url.search}${url.hash}` : '/';
}

export default function languageRoutes(router: Router) {
  router.get('/language', (ctx) => {
    const tag = supportedLanguage(typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined);
    if (tag) writeCookie(ctx, LANGUAGE_COOKIE, tag);
    ctx.status = 303;
    ctx.redirect(localPath(ctx.query.return));
  });
}
