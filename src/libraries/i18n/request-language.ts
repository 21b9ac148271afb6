// The language of the request being answered, for whatever it causes (its page, its mails):
// set by the page layer for each request, read here so that libraries need no request.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestLanguage {
  tag: string;
  picked: string | undefined;
  accepted: string | undefined;
  /** Where the language switcher sends the person back to (a GET of this page), if anywhere. */
  returnPath: string | undefined;
}

const current = new AsyncLocalStorage<RequestLanguage>();

export const runInLanguage = <T>(language: RequestLanguage, work: () => T): T => current.run(language, work);

/** The request's language state, or undefined outside a request that shows pages (a CLI command, a worker). */
export const requestLanguage = (): RequestLanguage | undefined => current.getStore();
