import { DEFAULT_BUNDLE_PROPAGATION_S, DEFAULT_CA_ROLLOVER_FRACTION, type CertificateRenewerOptions } from './renewer-settings.js';
import type { KeyAlgorithm } from './key-algorithm.js';
import { DEFAULT_CA_TTL_S, DEFAULT_LEAF_TTL_S, MIN_LEAF_TTL_S, parseDurationSeconds } from './lifetime.js';

/** `npm run renew` (certs/renew.ts): its environment, validated once into renewer options. */
export const RENEW_USAGE = `Usage: node dist/certs/renew.js [--help]

Keeps a certs folder's workload certificates short-lived and fresh: issues the broker's
certificate (nats) and one client certificate per estate identity, renews each at half-life
(key, then certificate, each written atomically), rolls the CA over before it ages, and keeps
nats-pins.conf (the broker's pinned_certs) in step. The development stand-in for spiffe-helper
or cert-manager: see certs/README.md. Runs until SIGINT or SIGTERM.

Environment:
  CERTS_DIR             folder to keep (default certs/out)
  CERT_TTL              leaf lifetime, e.g. 30s, 15m, 1h (default ${DEFAULT_LEAF_TTL_S / 3_600}h, at least ${MIN_LEAF_TTL_S}s)
  CA_TTL                lifetime of a new CA, e.g. 24h, 7d (default ${DEFAULT_CA_TTL_S / 3_600}h)
  CA_ROLLOVER_FRACTION  share of the CA's life after which it rolls over (default ${DEFAULT_CA_ROLLOVER_FRACTION})
  CA_PROPAGATION        how long a new CA sits in the bundle before it issues (default ${DEFAULT_BUNDLE_PROPAGATION_S}s)
  CERT_KEY_ALGORITHM    ES256 (default) or EdDSA, for new keys
  SIGHUP_PID_FILE       a file holding a pid (nats-server's) to send SIGHUP on every change
                        (compose: the renewer shares the broker's pid namespace)

Each change is printed as one line on stdout; failures and retries go to stderr.
`;

export interface RenewSettings {
  readonly renewer: CertificateRenewerOptions;
  readonly sighupPidFile: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function duration(env: Env, name: string): number | undefined {
  const raw = value(env, name);
  return raw === undefined ? undefined : parseDurationSeconds(raw, name);
}

function fraction(env: Env, name: string): number | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const parsed = Number(raw);
  if (!/^0?\.\d+$/.test(raw) || !(parsed > 0 && parsed < 1)) throw new TypeError(`${name}: expected a number between 0 and 1, e.g. 0.5, got "${raw}"`);
  return parsed;
}

function keyAlgorithm(env: Env): KeyAlgorithm | undefined {
  const raw = value(env, 'CERT_KEY_ALGORITHM');
  if (raw !== undefined && raw !== 'ES256' && raw !== 'EdDSA') throw new TypeError(`CERT_KEY_ALGORITHM: must be ES256 or EdDSA, got "${raw}"`);
  return raw;
}

export function renewSettings(env: Env): RenewSettings {
  const leafTtlSeconds = duration(env, 'CERT_TTL');
  const caTtlSeconds = duration(env, 'CA_TTL');
  const caRolloverFraction = fraction(env, 'CA_ROLLOVER_FRACTION');
  const bundlePropagationSeconds = duration(env, 'CA_PROPAGATION');
  const algorithm = keyAlgorithm(env);
  return Object.freeze({
    renewer: {
      dir: value(env, 'CERTS_DIR') ?? 'certs/out',
      ...(leafTtlSeconds === undefined ? {} : { leafTtlSeconds }),
      ...(caTtlSeconds === undefined ? {} : { caTtlSeconds }),
      ...(caRolloverFraction === undefined ? {} : { caRolloverFraction }),
      ...(bundlePropagationSeconds === undefined ? {} : { bundlePropagationSeconds }),
      ...(algorithm === undefined ? {} : { keyAlgorithm: algorithm }),
    },
    sighupPidFile: value(env, 'SIGHUP_PID_FILE'),
  });
}
