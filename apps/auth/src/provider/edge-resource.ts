/**
 * The one resource server this authorization server issues tokens for: the edge, named by its
 * resource indicator (RFC 8707). Its tokens are JWTs (RFC 9068: oidc-provider sets `typ: at+jwt`)
 * whose `aud` is the edge's resource URL, signed by the current key, short-lived.
 */
import { errors, type ResourceServer } from 'oidc-provider';
import type { AuthConfig } from '../auth-config.js';
import { SIGNING_ALG } from '../keys/signing-key-ring.js';

export interface ResourceIndicatorsOptions {
  defaultResource(): Promise<string>;
  getResourceServerInfo(ctx: unknown, resourceIndicator: string): Promise<ResourceServer>;
  useGrantedResource(): Promise<boolean>;
}

export function edgeResource(config: AuthConfig, signingKid: () => string): ResourceIndicatorsOptions {
  return {
    // A client that names no resource still gets a token for the edge: it is the only API.
    defaultResource: async () => config.resource,
    async getResourceServerInfo(_ctx, resourceIndicator) {
      // RFC 8707 §2: "invalid_target" for a resource the server does not know.
      if (resourceIndicator !== config.resource) throw new errors.InvalidTarget();
      return {
        scope: config.resourceScopes.join(' '),
        audience: config.resource,
        accessTokenTTL: config.accessTokenTtlSeconds,
        accessTokenFormat: 'jwt',
        // The kid is named, not left to key order, so a rotation takes effect on the next token.
        jwt: { sign: { alg: SIGNING_ALG, kid: signingKid() } },
      };
    },
    // Token requests may omit `resource`; the granted one (the edge) is used.
    useGrantedResource: async () => true,
  };
}
