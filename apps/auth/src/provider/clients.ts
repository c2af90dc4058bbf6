/**
 * The two external clients, registered statically. Both are public (no secret: a browser bundle
 * or an app binary cannot keep one), use the authorization code flow with PKCE, and must present
 * DPoP proofs at the token endpoint (`dpop_bound_access_tokens`, RFC 9449 §5.2), so every access
 * and refresh token they receive is bound to their key.
 */
import type { ClientMetadata } from 'oidc-provider';
import type { AuthConfig } from '../auth-config.js';
import { SIGNING_ALG } from '../keys/signing-key-ring.js';

export const SPA_CLIENT_ID = 'spa';
export const MOBILE_CLIENT_ID = 'mobile';

const publicCodeClient: Omit<ClientMetadata, 'client_id'> = {
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  dpop_bound_access_tokens: true,
  id_token_signed_response_alg: SIGNING_ALG,
};

export function externalClients(config: AuthConfig): ClientMetadata[] {
  return [
    {
      ...publicCodeClient,
      client_id: SPA_CLIENT_ID,
      client_name: 'Orders SPA',
      application_type: 'web',
      redirect_uris: [...config.spaRedirectUris],
    },
    {
      ...publicCodeClient,
      client_id: MOBILE_CLIENT_ID,
      client_name: 'Orders mobile app',
      // RFC 8252 §7.3: for a native client, oidc-provider matches a loopback redirect URI
      // ignoring its port, so the app may listen on any free port at run time.
      application_type: 'native',
      redirect_uris: [...config.mobileRedirectUris],
    },
  ];
}
