/**
 * Consent for first-party clients. The SPA and the mobile app belong to the same estate as the
 * edge, so the user is not asked again after logging in: the grant records exactly what the
 * provider reports as missing (OIDC scopes and claims, and the edge's scopes), nothing more.
 * Any other client would need a consent page; it is refused instead.
 */
import type { InteractionResults } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { MOBILE_CLIENT_ID, SPA_CLIENT_ID } from '../provider/clients.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

const FIRST_PARTY_CLIENTS: ReadonlySet<string> = new Set([SPA_CLIENT_ID, MOBILE_CLIENT_ID]);

interface MissingConsent {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

export async function firstPartyConsent(provider: Provider, interaction: Interaction): Promise<InteractionResults> {
  const clientId = String(interaction.params['client_id']);
  const accountId = interaction.session?.accountId;
  if (!FIRST_PARTY_CLIENTS.has(clientId) || accountId === undefined) {
    return { error: 'access_denied', error_description: 'consent is only implied for first-party clients' };
  }
  const missing = interaction.prompt.details as MissingConsent;
  const grant =
    (interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId)) ??
    new provider.Grant({ accountId, clientId });
  if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return { consent: { grantId: await grant.save() } };
}
