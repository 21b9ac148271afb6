// The language switcher on every page: remembers the language picked and shows the page again.
// Only a path on this site is followed back, so the link cannot send anyone elsewhere.
import type Router from '@koa/router';
import { supportedLanguage } from '../libraries/i18n/languages.ts';
import { writeCookie } from '../middleware/koa-cookies.ts';
import { LANGUAGE_COOKIE } from '../pages/page-language.ts';

/** A path on this site ("/x", never "//host" or "/\\host", which browsers read as another host). */
const localPath = (value: unknown) => (typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/');

export default function languageRoutes(router: Router) {
  router.get('/language', (ctx) => {
    const tag = supportedLanguage(typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined);
    if (tag) writeCookie(ctx, LANGUAGE_COOKIE, tag);
    ctx.status = 303;
    ctx.redirect(localPath(ctx.query.return));
  });
}
