// One person's whole password sign-in over HTTP with fresh cookies, as a browser would make it:
// authorize, the sign-in page, the password, the redirects back, the code at the token endpoint.
// Shared by the benchmarks; it reads the form's CSRF token where there is one.
import crypto from 'node:crypto';
import { BENCH_PASSWORD, BENCH_REDIRECT_URI } from './fixtures.ts';

export interface SignInTarget {
  url: string;
  client: { id: string; secret: string };
}

const basic = (client: SignInTarget['client']) => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;

/** One person's whole sign-in with fresh cookies: authorize, sign-in page, password, code, token. */
export async function signIn(provider: SignInTarget, email: string, password = BENCH_PASSWORD): Promise<void> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers as Record<string, string>, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    client_id: provider.client.id, response_type: 'code', scope: 'openid', redirect_uri: BENCH_REDIRECT_URI,
    code_challenge: challenge, code_challenge_method: 'S256', state: crypto.randomBytes(8).toString('hex'),
  });
  const start = await send(`${provider.url}/auth?${query}`);
  const interaction = new URL(start.headers.get('location')!, provider.url).href;
  const page = await (await send(interaction)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const action = /action="([^"]*\/login)"/.exec(page)?.[1];
  if (!action) throw new Error(`no sign-in form at ${interaction}`);
  let response = await send(new URL(action, provider.url).href, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  for (let hops = 0; response.status === 303 || response.status === 302; hops++) {
    const location = new URL(response.headers.get('location')!, provider.url);
    if (location.origin + location.pathname === BENCH_REDIRECT_URI) {
      const token = await fetch(`${provider.url}/token`, {
        method: 'POST', headers: { authorization: basic(provider.client), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: location.searchParams.get('code')!, code_verifier: verifier, redirect_uri: BENCH_REDIRECT_URI }).toString(),
      });
      if (!token.ok) throw new Error(`token endpoint answered ${token.status}`);
      await token.text();
      return;
    }
    if (hops > 5) break;
    response = await send(location.href);
  }
  throw new Error(`the sign-in ended at ${response.status}`);
}

