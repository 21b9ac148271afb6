// Applications: the registered OAuth clients, with when each was last used; register one by its
// kind (web app, single-page or native app, machine), see and change it, replace its secret,
// give a machine its roles, delete it with its grants and tokens; and how to wire it up (issuer,
// discovery, a snippet for its kind). A secret is shown once, on the page the change lands on.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { clientInputOfKind, integrationSnippet, isClientKind, kindOf, scopesOfKind, type ClientKind, type ClientSettings } from '../../libraries/client-kinds.ts';
import type { ClientChange, ClientSummary } from '../../libraries/clients.ts';
import { RequestError } from '../../libraries/errors.ts';
import { SIGNING_ALGORITHMS } from '../../libraries/signing-keys.ts';
import { errorText } from '../../pages/error-text.ts';
import type { FormProblem } from '../../pages/form-problem.ts';
import type { Services } from '../../services.ts';
import { revealOnPage, takeRevealed } from './console-reveal.ts';
import { backTo, consoleChange, formList, formText, renderConsolePage } from './console-page.ts';
import { recentSignIn } from './console-session.ts';

const NOTICES: Record<string, string> = {
  created: 'console.applications.notices.created',
  updated: 'console.applications.notices.updated',
  rotated: 'console.applications.notices.rotated',
  deleted: 'console.applications.notices.deleted',
  'role-granted': 'console.applications.notices.roleGranted',
  'role-revoked': 'console.applications.notices.roleRevoked',
};

/** Each kind's words: its name, and what it is for. */
const KINDS: Record<ClientKind, { name: string; about: string }> = {
  web: { name: 'console.applications.kinds.web', about: 'console.applications.kinds.webAbout' },
  public: { name: 'console.applications.kinds.public', about: 'console.applications.kinds.publicAbout' },
  machine: { name: 'console.applications.kinds.machine', about: 'console.applications.kinds.machineAbout' },
};

/** What to do with the snippet, by how the application proves itself. */
const snippetAbout = (kind: ClientKind, authMethod: string) => {
  if (authMethod === 'private_key_jwt') return 'console.applications.snippetPrivateKey';
  if (kind === 'machine') return 'console.applications.snippetMachine';
  return kind === 'public' ? 'console.applications.snippetPublic' : 'console.applications.snippetWeb';
};

/** The form field each setting is shown in (the clients library names the setting a refusal is about). */
const FIELD_OF_SETTING: Record<string, string> = {
  name: 'name', redirectUris: 'redirect_uris', postLogoutRedirectUris: 'post_logout_redirect_uris', scopes: 'scopes',
  logoUri: 'logo_uri', clientUri: 'client_uri', policyUri: 'policy_uri', tosUri: 'tos_uri', idTokenSigningAlg: 'id_token_alg',
  backchannelLogoutUri: 'backchannel_logout_uri',
};
const SIGN_IN_FIELDS = Object.values(FIELD_OF_SETTING);
const MACHINE_FIELDS = ['name', 'scopes'];
const fieldsOf = (kind: ClientKind) => (kind === 'machine' ? MACHINE_FIELDS : SIGN_IN_FIELDS);

/** What the settings form holds, as typed (shown again as it was when refused). */
interface FormValues {
  name: string;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  skip_consent: boolean;
  logo_uri: string;
  client_uri: string;
  policy_uri: string;
  tos_uri: string;
  id_token_alg: string;
  backchannel_logout_uri: string;
  backchannel_logout_session_required: boolean;
  scopes: string[];
  roles: string[];
}

const lines = (text: string) => text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);

function formValues(ctx: Context): FormValues {
  return {
    name: formText(ctx, 'name'),
    redirect_uris: formText(ctx, 'redirect_uris'),
    post_logout_redirect_uris: formText(ctx, 'post_logout_redirect_uris'),
    skip_consent: formText(ctx, 'skip_consent') === 'yes',
    logo_uri: formText(ctx, 'logo_uri'),
    client_uri: formText(ctx, 'client_uri'),
    policy_uri: formText(ctx, 'policy_uri'),
    tos_uri: formText(ctx, 'tos_uri'),
    id_token_alg: formText(ctx, 'id_token_alg'),
    backchannel_logout_uri: formText(ctx, 'backchannel_logout_uri'),
    backchannel_logout_session_required: formText(ctx, 'backchannel_logout_session_required') === 'yes',
    scopes: formList(ctx, 'scope'),
    roles: formList(ctx, 'role'),
  };
}

function valuesOf(client: ClientSummary, roles: string[]): FormValues {
  return {
    name: client.client_name,
    redirect_uris: client.redirect_uris.join('\n'),
    post_logout_redirect_uris: client.post_logout_redirect_uris.join('\n'),
    skip_consent: client.skip_consent,
    logo_uri: client.logo_uri ?? '',
    client_uri: client.client_uri ?? '',
    policy_uri: client.policy_uri ?? '',
    tos_uri: client.tos_uri ?? '',
    id_token_alg: client.id_token_signed_response_alg,
    backchannel_logout_uri: client.backchannel_logout_uri ?? '',
    backchannel_logout_session_required: client.backchannel_logout_session_required,
    scopes: client.scope?.split(' ').filter(Boolean) ?? [],
    roles,
  };
}

/** The settings as the form gives them: '' for "none" (on a change, '' clears a logo or link). */
function settingsOf(values: FormValues): ClientSettings {
  return {
    name: values.name, redirectUris: lines(values.redirect_uris), postLogoutRedirectUris: lines(values.post_logout_redirect_uris),
    skipConsent: values.skip_consent, scopes: values.scopes, logoUri: values.logo_uri, clientUri: values.client_uri, policyUri: values.policy_uri,
    tosUri: values.tos_uri, idTokenSigningAlg: values.id_token_alg || undefined,
    backchannelLogoutUri: values.backchannel_logout_uri, backchannelLogoutSessionRequired: values.backchannel_logout_session_required,
  };
}

const withoutEmpty = (settings: ClientSettings): ClientSettings => ({
  ...settings, logoUri: settings.logoUri || undefined, clientUri: settings.clientUri || undefined,
  policyUri: settings.policyUri || undefined, tosUri: settings.tosUri || undefined, backchannelLogoutUri: settings.backchannelLogoutUri || undefined,
});

/** A change from the edit form: a machine's form has its name and scopes only; the rest stays. */
function changeOf(kind: ClientKind, values: FormValues): ClientChange {
  const settings = settingsOf(values);
  if (kind === 'machine') return { name: settings.name, scopes: settings.scopes };
  return settings;
}

/** The input a refusal is about: the setting the clients library names, or the typed confirmation. */
const fieldOfRefusal = (fields: readonly string[]) => (error: RequestError) => {
  const field = error.code === 'console_confirm_application' ? 'confirm'
    : typeof error.details.input === 'string' ? FIELD_OF_SETTING[error.details.input] : undefined;
  return field && fields.includes(field) ? field : undefined;
};

export default function applicationRoutes(router: Router, services: Services) {
  const applicationPath = (clientId: string) => `/admin/applications/${encodeURIComponent(clientId)}`;
  const idOf = (ctx: Context) => {
    const id = ctx.params.id ?? '';
    if (!id || id.length > 200) throw new RequestError('client_not_found', 404, 'No such application.');
    return id;
  };
  const { issuer } = services.config;

  const keepSecretForPage = (ctx: Context, clientId: string, secret: string) => revealOnPage(ctx, services, applicationPath(clientId), secret);
  const takeSecretFor = (ctx: Context, clientId: string) => takeRevealed<string>(ctx, services, applicationPath(clientId)) ?? '';

  router.get('/applications', async (ctx) => {
    const applications = (await services.clients.listClientsWithLastUse()).map((client) => ({ ...client, kind: kindOf(client) }));
    await renderConsolePage(ctx, services, 'admin/applications', {
      title: 'console.applications.title', section: 'applications', notices: NOTICES, applications, kinds: KINDS,
    });
  });

  const renderKindChoice = (ctx: Context, error: FormProblem | '' = '', status = 200) =>
    renderConsolePage(ctx, services, 'admin/application-kind', { title: 'console.applications.newTitle', section: 'applications', kinds: KINDS, error }, status);

  async function renderNew(ctx: Context, kind: ClientKind, values: FormValues, error: FormProblem | '' = '', status = 200) {
    await renderConsolePage(ctx, services, 'admin/application-new', {
      title: 'console.applications.newTitle', section: 'applications', kind, kinds: KINDS, values, error,
      scopesOffered: scopesOfKind(kind), algorithms: SIGNING_ALGORITHMS, roles: kind === 'machine' ? await services.roles.list() : [],
    }, status);
  }

  // First the kind (it decides which settings there are), then that kind's settings.
  router.get('/applications/new', async (ctx) => {
    const kind = ctx.query.kind;
    if (!isClientKind(kind)) return renderKindChoice(ctx);
    await renderNew(ctx, kind, {
      name: '', redirect_uris: '', post_logout_redirect_uris: '', skip_consent: false, logo_uri: '', client_uri: '', policy_uri: '', tos_uri: '', backchannel_logout_uri: '', backchannel_logout_session_required: false,
      // A web app keeps refresh tokens on its server; a browser or device app asks for them if it must.
      id_token_alg: 'RS256', scopes: { web: ['openid', 'email', 'profile', 'offline_access'], public: ['openid', 'email', 'profile'], machine: [] }[kind], roles: [],
    });
  });

  router.post('/applications', async (ctx) => {
    const kind = formText(ctx, 'kind');
    if (!isClientKind(kind)) {
      return renderKindChoice(ctx, { text: errorText(new RequestError('console_application_kind', 400, 'Choose what kind of application this is.')), field: undefined }, 400);
    }
    // A machine's credentials act without anyone signing in: making them needs a fresh sign-in.
    if (kind === 'machine' && !recentSignIn(ctx, '/admin/applications/new')) return;
    const values = formValues(ctx);
    let created: { clientId: string; secret: string | undefined } | undefined;
    await consoleChange(ctx, fieldOfRefusal(fieldsOf(kind)), async () => {
      const roles = kind === 'machine' ? [...new Set(values.roles)] : [];
      const known = new Set((await services.roles.list()).map((role) => role.name));
      const unknown = roles.find((role) => !known.has(role));
      if (unknown !== undefined) throw new RequestError('role_not_found', 400, `No role ${unknown}.`);
      const { client, clientSecret } = await services.clients.createClient(clientInputOfKind(kind, withoutEmpty(settingsOf(values))));
      created = { clientId: client.client_id, secret: clientSecret };
      for (const role of roles) {
        // A role deleted since the check above: the application stands without it (its page shows the roles it holds).
        await services.roles.grantToClient(role, client.client_id).catch((error: unknown) => {
          if (!(error instanceof RequestError)) throw error;
        });
      }
    }, (error, status) => renderNew(ctx, kind, values, error, status));
    if (!created) return;
    if (created.secret) keepSecretForPage(ctx, created.clientId, created.secret);
    backTo(ctx, applicationPath(created.clientId), 'created');
  });

  /** The page of an application that is not (or no longer) there. */
  const renderMissing = (ctx: Context) =>
    renderConsolePage(ctx, services, 'admin/application-missing', { title: 'console.applications.missingTitle', section: 'applications' }, 404);

  async function renderApplication(ctx: Context, clientId: string, { error = '' as FormProblem | '', status = 200, values = undefined as FormValues | undefined } = {}) {
    let client: ClientSummary;
    try {
      client = await services.clients.showClient(clientId);
    } catch (caught) {
      if (caught instanceof RequestError && caught.code === 'client_not_found') return renderMissing(ctx);
      throw caught;
    }
    const kind = kindOf(client);
    const [lastUse, roles, allRoles] = await Promise.all([
      services.clients.lastUse(clientId),
      kind === 'machine' ? services.roles.clientRoles(clientId) : Promise.resolve([] as string[]),
      kind === 'machine' ? services.roles.list() : Promise.resolve([]),
    ]);
    await renderConsolePage(ctx, services, 'admin/application', {
      title: 'console.applications.applicationTitle', section: 'applications', notices: NOTICES, error,
      client, kind, kinds: KINDS, lastUse, roles, rolesToGrant: allRoles.filter((role) => !roles.includes(role.name)),
      values: values ?? valuesOf(client, roles), scopesOffered: scopesOfKind(kind), algorithms: SIGNING_ALGORITHMS,
      secret: takeSecretFor(ctx, clientId), hasSecret: client.token_endpoint_auth_method === 'client_secret_basic',
      issuer, discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      snippet: integrationSnippet({ issuer, clientId, kind, authMethod: client.token_endpoint_auth_method, redirectUris: client.redirect_uris, scope: client.scope }),
      snippetAbout: snippetAbout(kind, client.token_endpoint_auth_method),
    }, status);
  }

  router.get('/applications/:id', async (ctx) => renderApplication(ctx, idOf(ctx)));

  /**
   * A POST on an application: `work` runs (if the sign-in is recent enough when `recent`), then
   * back to its page (or the list, once deleted) with `done`; a refusal is shown on its page.
   */
  const action = (path: string, done: string, work: (ctx: Context, client: ClientSummary) => Promise<unknown>,
    { recent = false as boolean | ((client: ClientSummary) => boolean), fields = [] as readonly string[], edit = false } = {}) =>
    router.post(`/applications/:id${path}`, async (ctx) => {
      const id = idOf(ctx);
      const client = await services.clients.showClient(id).catch((caught: unknown) => {
        if (caught instanceof RequestError && caught.code === 'client_not_found') return undefined;
        throw caught;
      });
      if (!client) return renderMissing(ctx);
      if ((typeof recent === 'function' ? recent(client) : recent) && !recentSignIn(ctx, applicationPath(id))) return;
      let changed = false;
      await consoleChange(ctx, fieldOfRefusal(edit ? fieldsOf(kindOf(client)) : fields), async () => {
        await work(ctx, client);
        changed = true;
      }, (error, status) => renderApplication(ctx, id, { error, status, values: edit ? formValues(ctx) : undefined }));
      if (changed) backTo(ctx, done === 'deleted' ? '/admin/applications' : applicationPath(id), done);
    });

  /** What a machine may do is what its credentials do unattended: changing it needs a fresh sign-in. */
  const isMachine = (client: ClientSummary) => kindOf(client) === 'machine';

  action('', 'updated', (ctx, client) => services.clients.updateClient(client.client_id, changeOf(kindOf(client), formValues(ctx))), { edit: true, recent: isMachine });

  action('/rotate-secret', 'rotated', async (ctx, client) => {
    keepSecretForPage(ctx, client.client_id, await services.clients.rotateClientSecret(client.client_id));
  }, { recent: true });

  action('/delete', 'deleted', async (ctx, client) => {
    const typed = formText(ctx, 'confirm');
    if (typed !== client.client_name.trim() && typed !== client.client_id) {
      throw new RequestError('console_confirm_application', 400, 'Type the application\'s name or client ID to delete it.');
    }
    await services.clients.deleteClient(client.client_id);
  }, { recent: true, fields: ['confirm'] });

  action('/roles/grant', 'role-granted', (ctx, client) => services.roles.grantToClient(formText(ctx, 'role'), client.client_id), { recent: true });
  action('/roles/revoke', 'role-revoked', (ctx, client) => services.roles.revokeFromClient(formText(ctx, 'role'), client.client_id));
}
