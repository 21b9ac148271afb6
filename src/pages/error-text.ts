// A refusal's words in the page's language: the catalogue's messages.<code> when it has one
// (filled in from the error's details, the wait before a retry in words), else the library's
// own sentence, which is English: a code whose sentences vary by case keeps them until each
// case has a code of its own.
import { hasMessage, translator, type Translate } from '../libraries/i18n/catalogue.ts';
import type { RequestError } from '../libraries/errors.ts';
import { currentLanguage } from './page-language.ts';

/** "45 seconds", "3 minutes": how long until a retry, in words of the language. */
export function waitInWords(t: Translate, seconds: number): string {
  return seconds < 90 ? t('wait.seconds', { count: seconds }) : t('wait.minutes', { count: Math.ceil(seconds / 60) });
}

export function errorText(error: RequestError): string {
  const key = typeof error.details.messageKey === 'string' ? error.details.messageKey : `messages.${error.code}`;
  if (!hasMessage(key)) return error.message;
  const t = translator(currentLanguage());
  const retryAfter = error.details.retryAfter;
  return t(key, { ...error.details, ...(typeof retryAfter === 'number' ? { wait: waitInWords(t, retryAfter) } : {}) });
}
