/**
 * RFC 8693 §3 token type URIs. The edge holds the client's JWT access token (RFC 9068); internal
 * hops carry and exchange JWTs the STS issues. The exchange request names the subject token's type
 * with one of these, and a SubjectToken carries its own.
 */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
