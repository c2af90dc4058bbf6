/**
 * oidc-provider's configuration for hybrid-estate: the protocol choices in one place. Everything
 * protocol-shaped (PKCE, DPoP validation and nonces, token formats, refresh token binding,
 * discovery, JWKS) is the library's certified code; this file only chooses.
 */
import type { Client, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { DevAccounts } from '../accounts/dev-accounts.js';
import type { AuthConfig } from '../auth-config.js';
import { SIGNING_ALG, type SigningKey } from '../keys/signing-key-ring.js';
import { externalClients } from './clients.js';
import { edgeResource } from './edge-resource.js';
import { MemoryAdapter, type ProviderMemory } from './memory-adapter.js';

// The edge's default DPoP allow-list (E8), so a key the edge accepts is one the AS accepts.
export const DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'PS256'] as const;
export const AUTHORIZATION_CODE_TTL_S = 60; // seconds
export const INTERACTION_TTL_S = 600; // seconds: time to fill in the login form
export const INTERACTION_PATH = '/interaction';

export interface ProviderParts {
  readonly config: AuthConfig;
  /** Current key first. */
  readonly keys: readonly SigningKey[];
  readonly memory: ProviderMemory;
  /** Signs the provider's cookies; generated once per process so every rebuild accepts them. */
  readonly cookieKeys: readonly string[];
  readonly accounts: DevAccounts;
}

// Browsers call the token endpoint cross-origin. Allow a public client exactly the origins of its
// registered redirect URIs; the mobile client's loopback origins never make CORS requests.
function clientBasedCORS(_ctx: KoaContextWithOIDC, origin: string, client: Client): boolean {
  if (origin === 'null' || client.clientAuthMethod !== 'none') return false;
  return (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin);
}

export function providerConfiguration({ config, keys, memory, cookieKeys, accounts }: ProviderParts): Configuration {
  const currentKid = keys[0]!.kid;
  return {
    adapter: (model: string) => new MemoryAdapter(model, memory),
    clients: externalClients(config),
    clientBasedCORS,
    // Only public clients exist; advertising secret-based methods would invite registering one.
    clientAuthMethods: ['none'],
    // The estate signs with ES256 only; ID tokens (when `openid` is asked for) follow.
    clientDefaults: { id_token_signed_response_alg: SIGNING_ALG },
    enabledJWA: {
      dPoPSigningAlgValues: [...DPOP_ALGORITHMS],
      idTokenSigningAlgValues: [SIGNING_ALG],
    },
    conformIdTokenClaims: true,
    cookies: { keys: [...cookieKeys] },
    findAccount: (ctx, id) => accounts.findAccount(ctx, id),
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    jwks: { keys: keys.map((key) => ({ ...key.jwk })) },
    features: {
      // The login page is ours (interaction.controller.ts); the library's dev views stay off.
      devInteractions: { enabled: false },
      dPoP: {
        enabled: true,
        nonceSecret: config.nonceSecret,
        // RFC 9449 §8: with nonces required, a proof without a fresh server nonce gets
        // `use_dpop_nonce` and a DPoP-Nonce header.
        requireNonce: () => config.nonceMode === 'required',
        allowReplay: false,
      },
      resourceIndicators: { enabled: true, ...edgeResource(config, () => currentKid) },
      // Access tokens are for the edge only; there is no userinfo endpoint to spend them at.
      userinfo: { enabled: false },
      revocation: { enabled: true },
    },
    // RFC 9700 §2.1.1: public clients MUST use PKCE; our clients are all public, so always.
    pkce: { required: () => true },
    // Public clients get a refresh token whenever they may use the grant; it is DPoP-bound
    // (oidc-provider binds a public client's refresh token to the proof key, RFC 9449 §5).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Rotate on every use as well: a leaked token and its key are still caught on reuse.
    rotateRefreshToken: true,
    allowOmittingSingleRegisteredRedirectUri: false,
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access'],
    ttl: {
      AccessToken: config.accessTokenTtlSeconds,
      AuthorizationCode: AUTHORIZATION_CODE_TTL_S,
      IdToken: config.accessTokenTtlSeconds,
      RefreshToken: config.refreshTokenTtlSeconds,
      // A grant (and the login session) bounds the whole chain of rotated refresh tokens.
      Grant: config.refreshTokenTtlSeconds,
      Session: config.refreshTokenTtlSeconds,
      Interaction: INTERACTION_TTL_S,
    },
  };
}
