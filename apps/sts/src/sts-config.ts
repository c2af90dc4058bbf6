import {
  EstateConfigError,
  httpUrlVariable,
  integerVariable,
  loadEstateConfig,
  optionalVariable,
  requiredVariable,
  spiffeIdOf,
  TRUST_DOMAIN,
  type EstateConfig,
  type Env,
} from '#estate';
import { DEFAULT_EXCHANGE_POLICY, parseExchangePolicy, type ExchangePolicy } from './exchange/exchange-policy.js';
import { DEFAULT_INTERNAL_TOKEN_TTL_S } from './exchange/internal-token.js';

/**
 * The STS's configuration, read once from the environment and validated at start-up: a bad
 * variable stops the process with a message that names it. Nothing else reads process.env.
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

function exchangePolicy(env: Env): ExchangePolicy {
  const raw = optionalVariable(env, 'STS_EXCHANGE_POLICY');
  let document: unknown = DEFAULT_EXCHANGE_POLICY;
  if (raw !== undefined) {
    try {
      document = JSON.parse(raw);
    } catch {
      throw new EstateConfigError('STS_EXCHANGE_POLICY', 'is not JSON');
    }
  }
  try {
    return parseExchangePolicy(document, { trustDomain: TRUST_DOMAIN, edge: spiffeIdOf('edge'), sts: spiffeIdOf('sts') });
  } catch (cause) {
    throw new EstateConfigError('STS_EXCHANGE_POLICY', cause instanceof Error ? cause.message : 'is not a valid policy', { cause });
  }
}

export function loadStsConfig(env: Env): StsConfig {
  const rotation = integerVariable(env, 'STS_KEY_ROTATION_S', DEFAULT_KEY_ROTATION_S, 0, 30 * 86_400);
  if (rotation !== 0 && rotation < MIN_KEY_ROTATION_S) throw new EstateConfigError('STS_KEY_ROTATION_S', `must be 0 or at least ${MIN_KEY_ROTATION_S}`);
  const jwksUri = optionalVariable(env, 'AUTH_JWKS_URI');
  return Object.freeze({
    estate: loadEstateConfig(env, 'sts'),
    // As the edge reads the same variables: no credentials, query or fragment in either URL.
    externalIssuer: httpUrlVariable('AUTH_ISSUER', requiredVariable(env, 'AUTH_ISSUER')),
    externalJwksUri: jwksUri === undefined ? undefined : httpUrlVariable('AUTH_JWKS_URI', jwksUri),
    externalAudience: requiredVariable(env, 'EDGE_AUDIENCE'),
    jwksCooldownMs: integerVariable(env, 'AUTH_JWKS_COOLDOWN_S', DEFAULT_JWKS_COOLDOWN_S, 0, 3_600) * 1000,
    policy: exchangePolicy(env),
    tokenTtlSeconds: integerVariable(env, 'STS_TOKEN_TTL_S', DEFAULT_INTERNAL_TOKEN_TTL_S, 5, 300),
    keyRotationSeconds: rotation,
    keysFile: optionalVariable(env, 'STS_KEYS_FILE'),
  });
}
