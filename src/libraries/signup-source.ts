// Where a sign-up came from, read from the authorization request that led to it: the
// application, the page that sent the person (origin and path only) and utm_* parameters.
export const UTM_PARAMETERS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
/** Authorization parameter Latchkey fills in itself from the Referer header; a client cannot set it. */
export const REFERRER_PARAMETER = 'latchkey_referrer';
export const SOURCE_VALUE_MAX_LENGTH = 200;

export interface SignupSource {
  clientId: string | null;
  referrer: string | null;
  utm: Record<string, string> | null;
}

/** Origin and path of a Referer header; its query and fragment may carry personal data. */
export function referrerOf(header: string | undefined): string | undefined {
  const url = header ? URL.parse(header) : null;
  if (!url || !['http:', 'https:'].includes(url.protocol)) return undefined;
  return `${url.origin}${url.pathname}`.slice(0, SOURCE_VALUE_MAX_LENGTH);
}

export function signupSourceOf(params: Record<string, unknown>): SignupSource {
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value.slice(0, SOURCE_VALUE_MAX_LENGTH) : undefined);
  const utm = Object.fromEntries(UTM_PARAMETERS.flatMap((name) => {
    const value = text(params[name]);
    return value ? [[name, value]] : [];
  }));
  return {
    clientId: text(params.client_id) ?? null,
    referrer: text(params[REFERRER_PARAMETER]) ?? null,
    utm: Object.keys(utm).length ? utm : null,
  };
}
