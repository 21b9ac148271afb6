// The account area's profile page: names, picture and preferred language. Saving needs a recent
// sign-in; a new preferred language also becomes this browser's page language at once.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { chooseLanguage, LANGUAGE_TAGS, LANGUAGES } from '../../libraries/i18n/languages.ts';
import { PICTURE_MAX_LENGTH } from '../../libraries/own-account/profile.ts';
import { clearCookie, writeCookie } from '../../middleware/koa-cookies.ts';
import type { FormProblem } from '../../pages/form-problem.ts';
import { LANGUAGE_COOKIE } from '../../pages/page-language.ts';
import type { Services } from '../../services.ts';
import { backTo, formText, pageChange } from '../page-forms.ts';
import { requireAccountSession, requireRecentSignIn, type AccountSession } from './account-session.ts';
import { renderAccountPage } from './account-page.ts';

const NOTICES = { saved: 'account.profile.saved', unchanged: 'account.profile.unchanged' };

interface ProfileForm {
  name: string;
  given_name: string;
  family_name: string;
  picture: string;
  preferred_language: string;
}

export default function profileRoutes(router: Router, services: Services) {
  const render = (ctx: Context, session: AccountSession, form: ProfileForm, error: FormProblem | '' = '', status = 200) =>
    renderAccountPage(ctx, services, session, 'account/profile', {
      title: 'account.profile.title', section: 'profile', notices: NOTICES, error, form,
      // What is saved is shown (a picture typed wrongly is not); the form keeps what was typed.
      picture: session.account.picture, updatedAt: session.account.updated_at, languages: LANGUAGES, pictureMaxLength: PICTURE_MAX_LENGTH,
    }, status);

  router.get('/profile', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (!session) return;
    const { account } = session;
    await render(ctx, session, {
      name: account.name ?? '', given_name: account.given_name ?? '', family_name: account.family_name ?? '',
      picture: account.picture ?? '', preferred_language: account.preferred_language ?? '',
    });
  });

  router.post('/profile', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/profile');
    if (!session) return;
    const form: ProfileForm = {
      name: formText(ctx, 'name'), given_name: formText(ctx, 'given_name'), family_name: formText(ctx, 'family_name'),
      picture: formText(ctx, 'picture'), preferred_language: formText(ctx, 'preferred_language'),
    };
    let fields: string[] = [];
    const browserLanguage = chooseLanguage({ accepted: ctx.acceptsLanguages([...LANGUAGE_TAGS]) || undefined });
    const saved = await pageChange(ctx, (error) => (typeof error.details.field === 'string' ? error.details.field : undefined), async () => {
      ({ fields } = await services.ownProfile.update(session.account.id, {
        name: form.name, givenName: form.given_name, familyName: form.family_name, picture: form.picture, preferredLanguage: form.preferred_language,
      }, { browserLanguage }));
    }, (problem, status) => render(ctx, session, form, problem, status));
    if (!saved) return;
    // This browser's pages follow the new preference at once (cleared: the browser's own languages again).
    if (fields.includes('preferred_language')) {
      if (form.preferred_language) writeCookie(ctx, LANGUAGE_COOKIE, form.preferred_language);
      else clearCookie(ctx, LANGUAGE_COOKIE);
    }
    backTo(ctx, '/account/profile', fields.length ? 'saved' : 'unchanged');
  });
}
