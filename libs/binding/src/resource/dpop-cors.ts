/**
 * E24: what a browser client needs from CORS to use DPoP (RFC 9449 §4.1 sends the proof in a
 * `DPoP` request header; §8 and RFC 6750 §3 answer in `DPoP-Nonce` and `WWW-Authenticate`,
 * which scripts can read only when exposed). Credentials (cookies) are not used: the token and
 * proof travel in headers, so `credentials` stays off.
 */
export interface DpopCorsOptions {
  origin: string[];
  methods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  credentials: false;
  maxAge: number;
}

export const DPOP_CORS_MAX_AGE_S = 600; // seconds a browser may cache the preflight

/** Fresh options for Nest's `app.enableCors(...)` on either adapter, for these browser origins. */
export function dpopCorsOptions(origins: readonly string[]): DpopCorsOptions {
  return {
    origin: [...origins],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'DPoP', 'Content-Type'],
    exposedHeaders: ['WWW-Authenticate', 'DPoP-Nonce'],
    credentials: false,
    maxAge: DPOP_CORS_MAX_AGE_S,
  };
}
