// Loads the interaction a step belongs to, from the provider's cookie, and checks that the
// page is the step the provider is waiting for.
import type { Context } from 'koa';
import { RequestError } from '../../libraries/errors.ts';
import { preferUiLocales } from '../../pages/page-language.ts';
import type { Services } from '../../services.ts';

export interface ClientDisplay {
  name: string;
  logoUri: string | undefined;
  /** Its home page, privacy policy and terms, when registered. */
  clientUri: string | undefined;
  policyUri: string | undefined;
  tosUri: string | undefined;
}

export async function loadInteraction(ctx: Context, services: Services, step?: 'login' | 'consent') {
  const provider = services.provider.current;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  preferUiLocales(details.params.ui_locales); // OIDC Core 3.1.2.1: the languages the application asked for
  if (details.uid !== ctx.params.uid) {
    throw new RequestError('session_expired', 400, 'This sign-in page belongs to another sign-in attempt.');
  }
  if (step && details.prompt.name !== step) {
    throw new RequestError('session_expired', 400, 'This step of the sign-in is already done.');
  }
  const client = await provider.Client.find(String(details.params.client_id));
  if (!client) throw new RequestError('invalid_client', 400, 'The application is no longer registered.');
  ctx.state.clientId = client.clientId; // named in the audit events of this step
  const display: ClientDisplay = {
    name: client.clientName ?? client.clientId, logoUri: client.logoUri, clientUri: client.clientUri, policyUri: client.policyUri, tosUri: client.tosUri,
  };
  return { provider, details, client: display };
}

/**
 * Hands the step's result to the provider and follows it back into the authorization flow. The
 * result adds to what the same authorization request proved in an earlier step (a consent after
 * a prompt=login sign-in keeps that sign-in), never replaces it.
 */
export async function finishStep(ctx: Context, services: Services, result: Parameters<Services['provider']['current']['interactionResult']>[2]) {
  const returnTo = await services.provider.current.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  ctx.redirect(returnTo);
  ctx.status = 303;
}
