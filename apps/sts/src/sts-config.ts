import { z } from 'zod';
import { loadEstateConfig, parseEnvironment, refuseVariable, spiffeIdOf, TRUST_DOMAIN, variable, type AppConfiguration, type EstateConfig, type Env } from '#estate';
import { DEFAULT_EXCHANGE_POLICY, parseExchangePolicy, type ExchangePolicy } from './exchange/exchange-policy.js';
import { DEFAULT_INTERNAL_TOKEN_TTL_S } from './exchange/internal-token.js';

/**
 * The STS's configuration, read once from the environment and validated at start-up against
 * STS_VARIABLES (zod) and libs/estate's: a bad variable stops the process with a message that
 * names it. Nothing else reads process.env. ConfigModule namespace `sts` (stsConfiguration).
 *
 * Variables, besides libs/estate's (NATS_URL, CERTS_DIR, ...):
 * - AUTH_ISSUER (required): the external authorization server, whose tokens the edge exchanges;
 * - AUTH_JWKS_URI: its JWKS, skipping discovery; AUTH_JWKS_COOLDOWN_S: as at the edge;
 * - EDGE_AUDIENCE (required): the `aud` the external issuer puts in tokens for the edge;
 * - STS_EXCHANGE_POLICY: JSON `{ "<caller>": { "<audience>": ["scope", ...] } }`; default: the
 *   estate's call graph (DEFAULT_EXCHANGE_POLICY);
 * - STS_TOKEN_TTL_S: lifetime of internal tokens (default 60);
 * - STS_KEY_ROTATION_S: seconds between signing-key rotations (default 3600, 0 = never);
 * - STS_KEYS_FILE: where the signing keys are kept (0600 JSON), so a restart keeps them and the
 *   tokens in flight stay verifiable; in memory only when unset.
 */
export interface StsConfig {
  readonly estate: EstateConfig<'sts'>;
  readonly externalIssuer: string;
  readonly externalJwksUri: string | undefined;
  readonly externalAudience: string;
  readonly jwksCooldownMs: number;
  readonly policy: ExchangePolicy;
  readonly tokenTtlSeconds: number;
  readonly keyRotationSeconds: number;
  readonly keysFile: string | undefined;
}

export const DEFAULT_KEY_ROTATION_S = 3_600; // seconds
/**
 * A rotation promotes the key published at the previous one; that interval must exceed the
 * verifiers' refetch cooldown (DEFAULT_NATS_JWKS_COOLDOWN_MS, 5 s) by far.
 */
export const MIN_KEY_ROTATION_S = 60; // seconds
export const DEFAULT_JWKS_COOLDOWN_S = 30; // seconds

/** STS_EXCHANGE_POLICY: JSON, checked against the estate's identities. */
function exchangePolicy(raw: string | undefined, ctx: z.RefinementCtx): ExchangePolicy {
  let document: unknown = DEFAULT_EXCHANGE_POLICY;
  if (raw !== undefined) {
    try {
      document = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  }
  try {
    return parseExchangePolicy(document, { trustDomain: TRUST_DOMAIN, edge: spiffeIdOf('edge'), sts: spiffeIdOf('sts') });
  } catch (cause) {
    ctx.addIssue({ code: 'custom', message: cause instanceof Error ? cause.message : 'is not a valid policy' });
    return z.NEVER;
  }
}

/** Every variable the STS reads besides libs/estate's, with its rule and default. */
export const STS_VARIABLES = {
  // As the edge reads the same variables: no credentials, query or fragment in either URL.
  AUTH_ISSUER: variable.requiredHttpUrl(),
  AUTH_JWKS_URI: variable.httpUrl(),
  AUTH_JWKS_COOLDOWN_S: variable.integer(DEFAULT_JWKS_COOLDOWN_S, 0, 3_600),
  EDGE_AUDIENCE: variable.required(),
  STS_EXCHANGE_POLICY: variable.optional().transform(exchangePolicy),
  STS_TOKEN_TTL_S: variable.integer(DEFAULT_INTERNAL_TOKEN_TTL_S, 5, 300),
  STS_KEY_ROTATION_S: variable.integer(DEFAULT_KEY_ROTATION_S, 0, 30 * 86_400),
  STS_KEYS_FILE: variable.optional(),
};

export const stsEnvironment = z.object(STS_VARIABLES).superRefine((vars, ctx) => {
  if (vars.STS_KEY_ROTATION_S !== 0 && vars.STS_KEY_ROTATION_S < MIN_KEY_ROTATION_S) {
    refuseVariable(ctx, 'STS_KEY_ROTATION_S', `must be 0 or at least ${MIN_KEY_ROTATION_S}`);
  }
});

export function loadStsConfig(env: Env): StsConfig {
  const vars = parseEnvironment(stsEnvironment, env);
  return Object.freeze({
    estate: loadEstateConfig(env, 'sts'),
    externalIssuer: vars.AUTH_ISSUER,
    externalJwksUri: vars.AUTH_JWKS_URI,
    externalAudience: vars.EDGE_AUDIENCE,
    jwksCooldownMs: vars.AUTH_JWKS_COOLDOWN_S * 1000,
    policy: vars.STS_EXCHANGE_POLICY,
    tokenTtlSeconds: vars.STS_TOKEN_TTL_S,
    keyRotationSeconds: vars.STS_KEY_ROTATION_S,
    keysFile: vars.STS_KEYS_FILE,
  });
}

/** ConfigModule namespace `sts`: the STS's configuration (with its `estate`, the fabric) from the process environment. */
export const stsConfiguration: AppConfiguration<'sts', StsConfig> = { namespace: 'sts', load: loadStsConfig };
