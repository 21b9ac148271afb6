// A refused form's problem, where it belongs: under the field it is about (the page marks that
// field aria-invalid, describes it by the message and focuses it), or in a banner when it is
// about no field (too many attempts, an expired form).
import type { RequestError } from '../libraries/errors.ts';
import { errorText } from './error-text.ts';

export interface FormProblem {
  text: string;
  /** The id of the input it is about, if any. */
  field: string | undefined;
}

/** Which input each refusal is about, by the field's id on the pages. */
const FIELD_OF: Record<string, string> = {
  invalid_credentials: 'password', // never says which of the two was wrong, so under the last one
  email_required: 'email',
  email_invalid: 'email',
  password_required: 'password',
  password_too_short: 'password',
  password_too_long: 'password',
  password_common: 'password',
  password_personal: 'password',
  password_wrong: 'password',
  name_required: 'name',
  name_too_long: 'name',
  name_invalid: 'name',
  code_invalid: 'code',
  code_wrong: 'code',
  code_exhausted: 'code',
  totp_wrong: 'totp',
  totp_reused: 'totp',
  email_taken: 'email',
  console_confirm: 'confirm',
};

/** `fields`: the inputs this form has; a refusal about another one goes to the banner. */
export function formProblem(error: RequestError, fields: readonly string[], override?: Record<string, string>): FormProblem {
  const field = override?.[error.code] ?? FIELD_OF[error.code];
  return { text: errorText(error), field: field && fields.includes(field) ? field : undefined };
}
