// The pages oidc-provider renders itself (errors, sign-out confirmation and success), drawn
// with Latchkey's templates instead of the library's defaults, in the person's language.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errorPageLocals, wayBackTo } from '../pages/error-page.ts';
import { inPageLanguage, preferUiLocales } from '../pages/page-language.ts';
import type { RenderPage } from '../pages/render-page.ts';

export function createProviderPages(renderPage: RenderPage) {
  return {
    async renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
      const code = out.error === 'invalid_redirect_uri' || /redirect_uri/.test(out.error_description ?? '') ? 'invalid_redirect_uri' : out.error;
      ctx.type = 'html';
      // An unknown application, or one whose redirect is wrong, is never sent back to: its home page, if registered, is safe.
      const wayOn = wayBackTo(ctx.oidc?.client);
      ctx.body = await inPageLanguage(ctx, () => renderPage('error', errorPageLocals(code, out.error_description ?? out.error, '', wayOn)));
    },

    async logoutSource(ctx: KoaContextWithOIDC, form: string) {
      const client = ctx.oidc.client;
      ctx.type = 'html';
      ctx.body = await inPageLanguage(ctx, () => {
        preferUiLocales(ctx.oidc.params?.ui_locales); // RP-initiated logout may name the languages too
        return renderPage('logout/confirm', { title: 'logout.confirmTitle', form, clientName: client?.clientName ?? '' });
      });
    },

    async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
      ctx.type = 'html';
      ctx.body = await inPageLanguage(ctx, () => renderPage('logout/done', { title: 'logout.doneTitle', clientName: ctx.oidc.client?.clientName ?? '' }));
    },
  };
}
