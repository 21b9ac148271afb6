// What Latchkey accepts as an email address, and the one form it keeps it in. Only an RFC 5322
// addr-spec made of dot-atoms: no display name, list, comment, quotes, brackets or separators
// (a mail library would read those as other or several recipients). Normalised once, here, for
// every use (lookups, one-time codes, throttles, mail): lower case, the domain in ASCII (an
// internationalised domain becomes punycode), at most 254 characters.
import { domainToASCII } from 'node:url';
import { assertThat } from './errors.ts';

// RFC 5322 atext, in dot-atoms: the local part in the form every mail system accepts.
const ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
// What a person may type as a domain before it is turned into ASCII: letters of any script, digits, dots, hyphens.
const TYPED_DOMAIN = /^[\p{L}\p{M}\p{N}.-]+$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

const INVALID = 'Enter an email address like name@example.com.';

/** The address in its one stored form, or email_required / email_invalid. */
export function normaliseEmail(input: unknown): string {
  const typed = typeof input === 'string' ? input.trim() : '';
  assertThat(typed.length > 0, 'email_required', 'Enter your email address.');
  const parts = typed.split('@');
  assertThat(parts.length === 2, 'email_invalid', INVALID);
  const local = parts[0]!.toLowerCase();
  const typedDomain = parts[1]!;
  assertThat(local.length <= 64 && LOCAL_PART.test(local), 'email_invalid', INVALID);
  assertThat(typedDomain.length <= 253 && TYPED_DOMAIN.test(typedDomain), 'email_invalid', INVALID);
  const domain = domainToASCII(typedDomain); // lower case, punycode; '' when it is no domain
  const labels = domain.split('.');
  assertThat(labels.length >= 2 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!), 'email_invalid', INVALID);
  const email = `${local}@${domain}`;
  assertThat(email.length <= 254, 'email_invalid', INVALID);
  return email;
}

/** The address if it is one (in its stored form), else undefined. */
export function maybeNormaliseEmail(input: unknown): string | undefined {
  try {
    return normaliseEmail(input);
  } catch {
    return undefined;
  }
}
