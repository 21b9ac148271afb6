// The consent step: shows what the application asks for in plain words, and records the
// person's answer as a grant (Allow) or an access_denied result (Deny, in abort.ts).
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { finishStep, loadInteraction } from './load-interaction.ts';

/** The scopes the consent page describes in plain words (the catalogue's scopes.<name>). */
export const DESCRIBED_SCOPES = ['openid', 'profile', 'email', 'roles', 'offline_access'];

function requestedScopes(promptDetails: Record<string, unknown>, requested: unknown): string[] {
  const missing = promptDetails.missingOIDCScope as string[] | undefined;
  const scopes = missing?.length ? missing : String(requested ?? '').split(' ');
  return scopes.filter((scope) => DESCRIBED_SCOPES.includes(scope));
}

/** The API resources asked for, each with the permissions the person would allow (their descriptions where there are some). */
async function requestedResources(services: Services, promptDetails: Record<string, unknown>) {
  const missing = (promptDetails.missingResourceScopes ?? {}) as Record<string, string[]>;
  return Promise.all(Object.entries(missing).map(async ([indicator, scopes]) => {
    const resource = await services.apiResources.maybeFindByIdentifier(indicator);
    const described = new Map(resource?.permissions.map((permission) => [permission.name, permission.description || permission.name]));
    return { name: resource?.name ?? indicator, permissions: scopes.map((scope) => described.get(scope) ?? scope) };
  }));
}

export async function renderConsentPage(ctx: Context, services: Services, interaction: Awaited<ReturnType<typeof loadInteraction>>) {
  const { details, client } = interaction;
  const account = await services.accounts.maybeFindActiveAccount(details.session?.accountId ?? '');
  const resources = await requestedResources(services, details.prompt.details);
  ctx.type = 'html';
  ctx.body = await services.renderPage('interaction/consent', {
    title: 'consent.title',
    csrfToken: ctx.state.csrfToken,
    uid: details.uid,
    client,
    scopes: requestedScopes(details.prompt.details, details.params.scope),
    resources,
    accountEmail: account?.email ?? '',
  });
}

export default function consentRoutes(router: Router, services: Services) {
  router.post('/:uid/consent', async (ctx) => {
    const { provider, details } = await loadInteraction(ctx, services, 'consent');
    const missing = details.prompt.details as {
      missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]>;
    };
    const grant = (details.grantId && await provider.Grant.find(details.grantId))
      || new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await services.consents.remember(details.session!.accountId, String(details.params.client_id), (grant.getOIDCScope() ?? '').split(' ').filter(Boolean));
    await finishStep(ctx, services, { consent: { grantId } });
  });
}
