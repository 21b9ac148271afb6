// Keys and tokens: the signing keys with their state (signing, next, retiring) and their rotation;
// API tokens for the admin API and SCIM (made, listed, revoked); initial access tokens for dynamic
// client registration. A new token is shown once, on the page the change lands on, and never again.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { MACHINE_SCOPES, type MachineScope } from '../../config/scopes.ts';
import { RequestError } from '../../libraries/errors.ts';
import type { FormProblem } from '../../pages/form-problem.ts';
import type { Services } from '../../services.ts';
import { backTo, consoleChange, formList, formText, renderConsolePage } from './console-page.ts';
import { revealOnPage, takeRevealed } from './console-reveal.ts';
import { recentSignIn } from './console-session.ts';

const NOTICES: Record<string, string> = {
  rotated: 'console.keys.notices.rotated',
  'token-created': 'console.keys.notices.tokenCreated',
  'token-revoked': 'console.keys.notices.tokenRevoked',
  'initial-created': 'console.keys.notices.initialCreated',
};

const KEY_STATES: Record<string, string> = {
  signing: 'console.keys.states.signing',
  next: 'console.keys.states.next',
  retiring: 'console.keys.states.retiring',
};

const TOKEN_STATES: Record<string, string> = {
  active: 'console.keys.tokenStates.active',
  expired: 'console.keys.tokenStates.expired',
  revoked: 'console.keys.tokenStates.revoked',
};

/** What each scope an API token may have lets it do. */
const SCOPE_WORDS: Record<MachineScope, string> = {
  admin: 'console.keys.scopeAdmin',
  'admin:read': 'console.keys.scopeAdminRead',
  scim: 'console.keys.scopeScim',
};

const DAY = 86_400;

/** When new signing keys start to sign. Five minutes, as `latchkey keys rotate`: time for every process and relying party to fetch them. */
const ACTIVATIONS: Array<{ value: string; seconds: number; label: string }> = [
  { value: '300', seconds: 300, label: 'console.keys.activation.fiveMinutes' },
  { value: '3600', seconds: 3600, label: 'console.keys.activation.oneHour' },
  { value: '0', seconds: 0, label: 'console.keys.activation.now' },
];

/** How long an API token lives (null: until revoked). */
const TOKEN_EXPIRIES: Array<{ value: string; seconds: number | null; label: string }> = [
  { value: '30', seconds: 30 * DAY, label: 'console.keys.expiry.thirtyDays' },
  { value: '90', seconds: 90 * DAY, label: 'console.keys.expiry.ninetyDays' },
  { value: '365', seconds: 365 * DAY, label: 'console.keys.expiry.oneYear' },
  { value: 'never', seconds: null, label: 'console.keys.expiry.never' },
];

/** How long an initial access token lives (the library allows up to 30 days; 24 hours, as the CLI). */
const INITIAL_EXPIRIES: Array<{ value: string; seconds: number; label: string }> = [
  { value: '1h', seconds: 3600, label: 'console.keys.expiry.oneHour' },
  { value: '24h', seconds: DAY, label: 'console.keys.expiry.oneDay' },
  { value: '7d', seconds: 7 * DAY, label: 'console.keys.expiry.sevenDays' },
  { value: '30d', seconds: 30 * DAY, label: 'console.keys.expiry.thirtyDays' },
];

/** A new token, shown once on the next view of the page (console-reveal.ts). */
interface Reveal { kind: 'api-token' | 'initial-access-token'; token: string; name?: string; expiresAt?: string }

interface TokenFormValues { name: string; scopes: string[]; expiry: string }

/** Which input of each form a library refusal is about, by its code. */
const TOKEN_FIELDS = { invalid_name: 'token-name', invalid_scope: 'token-scopes', invalid_expiry: 'token-expiry' };
const INITIAL_FIELDS = { invalid_expiry: 'initial-expiry' };
const ROTATE_FIELDS = { console_activation: 'activate-in' };

export default function keyRoutes(router: Router, services: Services) {
  const { issuer, dynamicRegistration } = services.config;

  const keepForPage = (ctx: Context, reveal: Reveal) => revealOnPage(ctx, services, '/admin/keys', reveal);

  async function renderKeys(ctx: Context, { error = '' as FormProblem | '', status = 200, tokenValues = undefined as TokenFormValues | undefined,
    activateIn = '300', initialExpiry = '24h' } = {}) {
    const [keys, apiTokens, initialTokens] = await Promise.all([
      services.signingKeys.listSigningKeys(), services.apiTokens.list(), services.clients.listInitialAccessTokens(),
    ]);
    await renderConsolePage(ctx, services, 'admin/keys', {
      title: 'console.keys.title', section: 'keys', notices: NOTICES, error,
      reveal: status === 200 ? takeRevealed<Reveal>(ctx, services, '/admin/keys') : undefined,
      keys, keyStates: KEY_STATES, activations: ACTIVATIONS, activateIn,
      apiTokens, tokenStates: TOKEN_STATES, scopes: MACHINE_SCOPES.map((scope) => ({ scope, about: SCOPE_WORDS[scope] })), tokenExpiries: TOKEN_EXPIRIES,
      tokenValues: tokenValues ?? { name: '', scopes: [], expiry: '90' },
      initialTokens, initialExpiries: INITIAL_EXPIRIES, initialExpiry, dynamicRegistration, registrationEndpoint: `${issuer}/reg`,
    }, status);
  }

  router.get('/keys', (ctx) => renderKeys(ctx));

  // The same call as `latchkey keys rotate`, then every process reloads its keys.
  router.post('/keys/rotate', async (ctx) => {
    if (!recentSignIn(ctx, '/admin/keys')) return;
    const activateIn = formText(ctx, 'activate_in');
    const done = await consoleChange(ctx, ROTATE_FIELDS, async () => {
      const activation = ACTIVATIONS.find((choice) => choice.value === activateIn);
      if (!activation) throw new RequestError('console_activation', 400, 'Choose when the new keys start to sign.');
      await services.signingKeys.rotateSigningKeys({ activateInSeconds: activation.seconds });
      await services.keysChanged();
    }, (error, status) => renderKeys(ctx, { error, status, activateIn }));
    if (done) backTo(ctx, '/admin/keys', 'rotated');
  });

  // A token acts without anyone signing in: making one needs a fresh sign-in, as a machine client does.
  router.post('/keys/tokens', async (ctx) => {
    if (!recentSignIn(ctx, '/admin/keys')) return;
    const values: TokenFormValues = { name: formText(ctx, 'name'), scopes: formList(ctx, 'scope'), expiry: formText(ctx, 'expiry') };
    const done = await consoleChange(ctx, TOKEN_FIELDS, async () => {
      const expiry = TOKEN_EXPIRIES.find((choice) => choice.value === values.expiry);
      const { token, apiToken } = await services.apiTokens.create({ name: values.name, scopes: values.scopes, expiresInSeconds: expiry ? expiry.seconds : Number.NaN });
      keepForPage(ctx, { kind: 'api-token', token, name: apiToken.name, expiresAt: apiToken.expires_at ?? undefined });
    }, (error, status) => renderKeys(ctx, { error, status, tokenValues: values }));
    if (done) backTo(ctx, '/admin/keys', 'token-created');
  });

  router.post('/keys/tokens/:id/revoke', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!recentSignIn(ctx, '/admin/keys')) return;
    const done = await consoleChange(ctx, {}, () => services.apiTokens.revoke(id), (error, status) => renderKeys(ctx, { error, status }));
    if (done) backTo(ctx, '/admin/keys', 'token-revoked');
  });

  // Allowed while dynamic registration is off, as the CLI allows it: the page says the token is of
  // no use until DYNAMIC_REGISTRATION=on (a restart), which it may be made ahead of.
  router.post('/keys/initial-tokens', async (ctx) => {
    if (!recentSignIn(ctx, '/admin/keys')) return;
    const initialExpiry = formText(ctx, 'expiry');
    const done = await consoleChange(ctx, INITIAL_FIELDS, async () => {
      const expiry = INITIAL_EXPIRIES.find((choice) => choice.value === initialExpiry);
      const { token, expiresAt } = await services.clients.createInitialAccessToken(expiry ? expiry.seconds : Number.NaN);
      keepForPage(ctx, { kind: 'initial-access-token', token, expiresAt });
    }, (error, status) => renderKeys(ctx, { error, status, initialExpiry }));
    if (done) backTo(ctx, '/admin/keys', 'initial-created');
  });
}
