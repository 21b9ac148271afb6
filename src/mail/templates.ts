// Renders a mail from <name>.html.ejs and <name>.text.ejs (views/emails/ unless told otherwise)
// inside views/emails/layout.*.ejs, in one language. Every template gets t() for its words,
// say() for a library's phrases, lang, productName, issuer and the subject besides the caller's data.
import path from 'node:path';
import ejs from 'ejs';
import { translator } from '../libraries/i18n/catalogue.ts';
import { say, type Phrase } from '../libraries/i18n/phrase.ts';
import { viewsDirectory } from '../pages/render-page.ts';

export const mailViewsDirectory = path.join(viewsDirectory, 'emails');

/** Template names are plain words so that a name can never reach outside the directory. */
const TEMPLATE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** `subject` is a catalogue key (given the product name as {{product}}); `language` a supported tag. */
export type RenderMail = (template: string, locals: { subject: string; language: string; data: Record<string, unknown> }) => Promise<RenderedMail>;

// Plain-text parts are not HTML: values go in as they are.
const asText = (value: unknown) => (value === undefined || value === null ? '' : String(value));

/** `productName`: the deployment's BRAND_NAME. */
export function createMailRenderer({ issuer, productName, directory = mailViewsDirectory }: { issuer: string; productName: string; directory?: string }): RenderMail {
  const renderHtml = (file: string, locals: object) => ejs.renderFile(file, locals, { cache: true, async: false });
  const renderText = (file: string, locals: object) => ejs.renderFile(file, locals, { cache: true, async: false, escape: asText });
  const layout = (part: 'html' | 'text') => path.join(mailViewsDirectory, `layout.${part}.ejs`);

  return async (template, { subject: subjectKey, language, data }) => {
    if (!TEMPLATE_NAME.test(template)) throw new Error(`Mail template name ${JSON.stringify(template)} is not a plain name`);
    const t = translator(language);
    const subject = t(subjectKey, { product: productName });
    const locals = { ...data, productName, issuer, subject, t, say: (phrases: Phrase | Phrase[]) => say(t, language, phrases), lang: language };
    const [html, text] = await Promise.all([
      renderHtml(path.join(directory, `${template}.html.ejs`), locals),
      renderText(path.join(directory, `${template}.text.ejs`), locals),
    ]);
    return {
      subject,
      html: await renderHtml(layout('html'), { ...locals, body: html }),
      text: await renderText(layout('text'), { ...locals, body: text.trim() }),
    };
  };
}
