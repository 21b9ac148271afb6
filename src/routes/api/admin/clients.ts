// /clients: the applications that may use Latchkey: register, see, change, rotate the secret, delete.
import { z } from 'zod';
import { GRANT_TYPES, type ClientChange } from '../../../libraries/clients.ts';
import { defineRoute } from './define-route.ts';
import { timestamp } from './schemas.ts';

const tag = 'Clients';

const clientSchema = z.object({
  client_id: z.string(),
  client_name: z.string(),
  public: z.boolean(),
  token_endpoint_auth_method: z.string(),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  grant_types: z.array(z.string()),
  scope: z.string().nullable(),
  skip_consent: z.boolean(),
  logo_uri: z.string().nullable(),
  client_uri: z.string().nullable(),
  policy_uri: z.string().nullable(),
  tos_uri: z.string().nullable(),
  id_token_signed_response_alg: z.string(),
  backchannel_logout_uri: z.string().nullable(),
  backchannel_logout_session_required: z.boolean(),
  created_at: timestamp,
});

const withSecret = clientSchema.extend({ client_secret: z.string().optional().describe('Shown only in this answer') });

const uris = z.array(z.string().max(2000)).max(50);
const optionalUri = z.string().max(2000).describe('An https URL; "" clears it on update');

const settings = {
  client_name: z.string().min(1).max(100),
  redirect_uris: uris,
  post_logout_redirect_uris: uris,
  grant_types: z.array(z.enum(GRANT_TYPES)).max(3).describe('Default: authorization_code and refresh_token'),
  scopes: z.array(z.string().max(100)).max(20).describe('What it may ask for (default: every OpenID scope); a client_credentials-only client may hold admin, admin:read or scim'),
  skip_consent: z.boolean().describe('A first-party app: people are not asked for consent'),
  logo_uri: optionalUri,
  client_uri: optionalUri,
  policy_uri: optionalUri,
  tos_uri: optionalUri,
  id_token_signed_response_alg: z.enum(['RS256', 'ES256', 'EdDSA']),
  backchannel_logout_uri: z.string().max(2000).describe('Where a signed logout token is posted when the person signs out (https; http only to localhost); "" clears it on update'),
  backchannel_logout_session_required: z.boolean().describe('Each logout token names the session (sid) it ends'),
};

const params = z.object({ client_id: z.string().min(1).max(100) });

const change = (body: Partial<Record<keyof typeof settings, unknown>>): ClientChange => ({
  name: body.client_name as string | undefined,
  redirectUris: body.redirect_uris as string[] | undefined,
  postLogoutRedirectUris: body.post_logout_redirect_uris as string[] | undefined,
  grantTypes: body.grant_types as string[] | undefined,
  scopes: body.scopes as string[] | undefined,
  skipConsent: body.skip_consent as boolean | undefined,
  logoUri: body.logo_uri as string | undefined,
  clientUri: body.client_uri as string | undefined,
  policyUri: body.policy_uri as string | undefined,
  tosUri: body.tos_uri as string | undefined,
  idTokenSigningAlg: body.id_token_signed_response_alg as string | undefined,
  backchannelLogoutUri: body.backchannel_logout_uri as string | undefined,
  backchannelLogoutSessionRequired: body.backchannel_logout_session_required as boolean | undefined,
});

export const clientRoutes = [
  defineRoute({
    method: 'get', path: '/clients', operationId: 'listClients', tag, need: 'admin:read',
    summary: 'Every registered application',
    responses: { 200: { description: 'The applications', schema: z.object({ data: z.array(clientSchema) }) } },
    handle: async ({ services }) => ({ status: 200, body: { data: await services.clients.listClients() } }),
  }),

  defineRoute({
    method: 'post', path: '/clients', operationId: 'createClient', tag, need: 'admin',
    summary: 'Register an application',
    description: 'A confidential client gets a secret, shown only in this answer; public: true makes a public client (PKCE, no secret).',
    body: z.object({ ...settings, public: z.boolean().optional() }).partial({
      redirect_uris: true, post_logout_redirect_uris: true, grant_types: true, scopes: true, skip_consent: true,
      logo_uri: true, client_uri: true, policy_uri: true, tos_uri: true, id_token_signed_response_alg: true,
      backchannel_logout_uri: true, backchannel_logout_session_required: true,
    }).strict(),
    responses: { 201: { description: 'The application, with its secret if it has one', schema: withSecret } },
    async handle({ body, services }) {
      const { client, clientSecret } = await services.clients.createClient({
        ...change(body), name: body.client_name, redirectUris: body.redirect_uris ?? [], postLogoutRedirectUris: body.post_logout_redirect_uris ?? [],
        grantTypes: body.grant_types ?? [], scopes: body.scopes ?? [], skipConsent: body.skip_consent ?? false, isPublic: body.public ?? false,
      });
      return {
        status: 201, body: { ...client, ...(clientSecret ? { client_secret: clientSecret } : {}) },
        headers: { Location: `${services.config.issuer}/api/admin/v1/clients/${client.client_id}` },
      };
    },
  }),

  defineRoute({
    method: 'get', path: '/clients/{client_id}', operationId: 'getClient', tag, need: 'admin:read',
    summary: 'One application',
    params,
    responses: { 200: { description: 'The application (never its secret)', schema: clientSchema } },
    handle: async ({ params: { client_id: clientId }, services }) => ({ status: 200, body: await services.clients.showClient(clientId) }),
  }),

  defineRoute({
    method: 'patch', path: '/clients/{client_id}', operationId: 'updateClient', tag, need: 'admin',
    summary: 'Change an application\'s settings',
    description: 'Only the fields sent change (a list replaces the whole list), checked as a new registration would be. Whether it is public, and its keys, stay. Every process uses the new settings at once.',
    params,
    body: z.object(settings).partial().strict(),
    responses: { 200: { description: 'The application as it is now', schema: clientSchema } },
    handle: async ({ params: { client_id: clientId }, body, services }) => ({ status: 200, body: await services.clients.updateClient(clientId, change(body)) }),
  }),

  defineRoute({
    method: 'delete', path: '/clients/{client_id}', operationId: 'deleteClient', tag, need: 'admin',
    summary: 'Delete an application with its grants and tokens',
    params,
    responses: { 204: { description: 'Deleted' } },
    async handle({ params: { client_id: clientId }, services }) {
      await services.clients.deleteClient(clientId);
      return { status: 204 };
    },
  }),

  defineRoute({
    method: 'post', path: '/clients/{client_id}/secret', operationId: 'rotateClientSecret', tag, need: 'admin',
    summary: 'Give an application a new secret',
    description: 'The old secret stops working at once. The new one is shown only in this answer.',
    params,
    responses: { 200: { description: 'The new secret', schema: z.object({ client_id: z.string(), client_secret: z.string() }) } },
    problems: { 409: 'The application has no secret (public, or it signs with its own keys).' },
    async handle({ params: { client_id: clientId }, services }) {
      return { status: 200, body: { client_id: clientId, client_secret: await services.clients.rotateClientSecret(clientId) } };
    },
  }),
];
