// A relying party to try Latchkey with: signs you in with the authorization code flow and
// PKCE (openid-client), shows the ID token's claims and userinfo, and signs you out; when
// Latchkey posts a logout token (back-channel logout), checks it (jose) and ends that session.
//   CLIENT_ID=… CLIENT_SECRET=… npm run sample-app      then open http://localhost:8080
// Register it first:
//   npx latchkey clients create --name "Sample app" --redirect-uri http://localhost:8080/callback \
//     --post-logout-redirect-uri http://localhost:8080/ \
//     --backchannel-logout-uri http://localhost:8080/backchannel-logout --backchannel-logout-session-required --json
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oc from 'openid-client';

interface SignedIn {
  claims: oc.IDToken;
  userinfo: oc.UserInfoResponse;
  idToken: string;
}

const escape = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (body: string) => `<!doctype html><meta charset="utf-8"><title>Sample app</title><body style="font-family:system-ui;max-width:40rem;margin:2rem auto">${body}</body>`;

export async function startSampleApp({ issuer, clientId, clientSecret, port }: { issuer: string; clientId: string; clientSecret?: string | undefined; port: number }) {
  const options = issuer.startsWith('http:') ? { execute: [oc.allowInsecureRequests] } : undefined;
  const config = await oc.discovery(new URL(issuer), clientId, clientSecret, clientSecret ? undefined : oc.None(), options);
  const pending = new Map<string, { verifier: string; nonce: string }>();
  const sessions = new Map<string, SignedIn>();
  const metadata = config.serverMetadata();
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri!));
  const seenLogoutTokens = new Set<string>();

  /**
   * OpenID Connect Back-Channel Logout 1.0, section 2.6: a logout token signed by the issuer for
   * this client, recent, typed logout+jwt, with the logout event, sub or sid, no nonce, not seen
   * before. Returns what it ends: the sessions with that sid, or all of that sub's.
   */
  async function verifyLogoutToken(token: string): Promise<{ sub?: string; sid?: string }> {
    const { payload } = await jwtVerify(token, keys, {
      issuer: metadata.issuer, audience: clientId, typ: 'logout+jwt', maxTokenAge: '2 minutes', clockTolerance: 30, requiredClaims: ['iat', 'jti', 'events'],
      algorithms: [config.clientMetadata().id_token_signed_response_alg ?? 'RS256'], // as the ID tokens are signed
    });
    const events = payload.events as Record<string, unknown> | undefined;
    if (typeof events?.['http://schemas.openid.net/event/backchannel-logout'] !== 'object') throw new Error('not a logout event');
    if (payload.nonce !== undefined) throw new Error('a logout token has no nonce');
    if (typeof payload.sub !== 'string' && typeof payload.sid !== 'string') throw new Error('neither sub nor sid');
    if (seenLogoutTokens.has(payload.jti!)) throw new Error('this logout token was used before');
    seenLogoutTokens.add(payload.jti!);
    return { sub: payload.sub, sid: typeof payload.sid === 'string' ? payload.sid : undefined };
  }

  const server = http.createServer(async (req, res) => {
    const base = `http://localhost:${(server.address() as AddressInfo).port}`;
    const url = new URL(req.url ?? '/', base);
    const sid = /(?:^|; )sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    const signedIn = sid ? sessions.get(sid) : undefined;
    try {
      if (url.pathname === '/backchannel-logout' && req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body = (body + chunk).slice(0, 16_385); // a logout request is small
        try {
          if (body.length > 16_384) throw new Error('the request is too large');
          const { sub, sid: ended } = await verifyLogoutToken(new URLSearchParams(body).get('logout_token') ?? '');
          for (const [id, session] of sessions) {
            if (ended ? session.claims.sid === ended : session.claims.sub === sub) sessions.delete(id);
          }
          res.writeHead(200, { 'cache-control': 'no-store' }).end();
        } catch (error) {
          res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(JSON.stringify({ error: 'invalid_request', error_description: (error as Error).message }));
        }
      } else if (url.pathname === '/login') {
        const verifier = oc.randomPKCECodeVerifier();
        const state = oc.randomState();
        const nonce = oc.randomNonce();
        pending.set(state, { verifier, nonce });
        // prompt, max_age and acr_values pass through, to try fresh sign-ins and second factors;
        // scope too (/login?scope=openid%20roles shows the roles claim).
        const asked = Object.fromEntries(['prompt', 'max_age', 'acr_values', 'scope'].flatMap((name) => {
          const value = url.searchParams.get(name);
          return value ? [[name, value]] : [];
        }));
        const authorization = oc.buildAuthorizationUrl(config, {
          redirect_uri: `${base}/callback`, scope: 'openid email profile', state, nonce,
          code_challenge: await oc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...asked,
        });
        res.writeHead(302, { location: authorization.href }).end();
      } else if (url.pathname === '/callback') {
        const state = url.searchParams.get('state') ?? '';
        const expected = pending.get(state);
        pending.delete(state);
        if (!expected) {
          res.writeHead(400, { 'content-type': 'text/html' }).end(page(`<p>Sign-in failed: ${escape(url.searchParams.get('error') ?? 'unknown state')}</p><p><a href="/">Back</a></p>`));
          return;
        }
        const tokens = await oc.authorizationCodeGrant(config, url, { pkceCodeVerifier: expected.verifier, expectedState: state, expectedNonce: expected.nonce });
        const claims = tokens.claims()!;
        const userinfo = await oc.fetchUserInfo(config, tokens.access_token, claims.sub);
        const id = crypto.randomUUID();
        sessions.set(id, { claims, userinfo, idToken: tokens.id_token! });
        res.writeHead(302, { location: '/', 'set-cookie': `sid=${id}; HttpOnly; SameSite=Lax; Path=/` }).end();
      } else if (url.pathname === '/logout' && signedIn) {
        sessions.delete(sid!);
        const end = oc.buildEndSessionUrl(config, { id_token_hint: signedIn.idToken, post_logout_redirect_uri: `${base}/` });
        res.writeHead(302, { location: end.href, 'set-cookie': 'sid=; Max-Age=0; Path=/' }).end();
      } else if (signedIn) {
        res.writeHead(200, { 'content-type': 'text/html' }).end(page(`<h1>Hello, ${escape(signedIn.userinfo.name ?? signedIn.userinfo.email ?? signedIn.claims.sub)}</h1>
          <h2>ID token claims</h2><pre id="claims">${escape(JSON.stringify(signedIn.claims, null, 2))}</pre>
          <h2>Userinfo</h2><pre id="userinfo">${escape(JSON.stringify(signedIn.userinfo, null, 2))}</pre>
          <p><a href="/login?prompt=login">Sign in again (prompt=login)</a> · <a href="/login?max_age=0">Sign in again (max_age=0)</a>
          · <a href="/login?acr_values=urn:latchkey:acr:mfa">Sign in with two factors</a> · <a href="/logout">Sign out</a></p>`));
      } else {
        res.writeHead(200, { 'content-type': 'text/html' }).end(page(`<h1>Sample app</h1><p><a href="/login">Sign in with Latchkey</a></p>`));
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/html' }).end(page(`<p>Sign-in failed: ${escape((error as Error).message)}</p><p><a href="/">Back</a></p>`));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    /** How many people are signed in to it now. */
    signedIn: () => sessions.size,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { CLIENT_ID, CLIENT_SECRET, ISSUER = 'http://localhost:3000', SAMPLE_PORT = '8080' } = process.env;
  if (!CLIENT_ID) {
    process.stderr.write('Set CLIENT_ID (and CLIENT_SECRET for a confidential client); see the top of examples/sample-app.ts\n');
    process.exit(2);
  }
  const app = await startSampleApp({ issuer: ISSUER, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, port: Number(SAMPLE_PORT) });
  process.stdout.write(`Sample app on ${app.url} (signing in at ${ISSUER})\n`);
}
