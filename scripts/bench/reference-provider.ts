// The reference `npm run bench` measures Latchkey against: bare oidc-provider with its in-memory
// adapter and the smallest sign-in a provider can have (one form, one argon2id verification at
// Latchkey's parameters), a first-party client that is never asked for consent.
//   PORT=… node scripts/bench/reference-provider.ts
import http from 'node:http';
import querystring from 'node:querystring';
import argon2 from 'argon2';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { BENCH_CLIENT, BENCH_PASSWORD, BENCH_REDIRECT_URI } from './fixtures.ts';

const port = Number(process.env.PORT);
const issuer = `http://localhost:${port}`;
const hash = await argon2.hash(BENCH_PASSWORD, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });

const provider = new Provider(issuer, {
  clients: [{
    client_id: BENCH_CLIENT.id, client_secret: BENCH_CLIENT.secret, redirect_uris: [BENCH_REDIRECT_URI],
    grant_types: ['authorization_code', 'client_credentials'], response_types: ['code'],
  }],
  features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true }, introspection: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['reference-provider-cookie-key'] },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  async loadExistingGrant(ctx: KoaContextWithOIDC) { // first party: granted without asking
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    await grant.save();
    return grant;
  },
});

const form = (uid: string) => `<!doctype html><title>Sign in</title><form method="post" action="/interaction/${uid}/login">
<input name="email"><input name="password" type="password"><button>Sign in</button></form>`;

async function readForm(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return querystring.parse(Buffer.concat(chunks).toString());
}

const handle = provider.callback();
const server = http.createServer(async (req, res) => {
  const step = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? '');
  if (!step) return handle(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (!step[2]) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(form(details.uid));
      return;
    }
    const { email, password } = await readForm(req);
    if (!(await argon2.verify(hash, String(password)))) {
      res.writeHead(401, { 'content-type': 'text/html' }).end(form(details.uid));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: String(email) } }, { mergeWithLastSubmission: true });
  } catch (error) {
    res.writeHead(400).end(String((error as Error).message));
  }
});
server.keepAliveTimeout = 65_000; // as Latchkey's: a client's idle connection is not closed under it
server.listen(port, '127.0.0.1', () => process.stdout.write(`reference provider on ${issuer}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
