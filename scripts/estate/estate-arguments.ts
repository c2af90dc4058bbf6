import { parseArgs } from 'node:util';
import { DEFAULT_LEAF_TTL_S, MIN_LEAF_TTL_S, parseDurationSeconds } from '../../certs/lifetime.js';
import { JAEGER_VERSION } from './trace-viewer.js';

export const ESTATE_USAGE = `usage: npm run estate [-- --once] [--cert-ttl <duration>] [--cluster] [--jaeger]

Starts the whole estate on this machine (PKI with a live renewer, the pinned nats-server with
mutual TLS, auth, sts, inventory, orders, the edge and the SPA) and walks through the hybrid flow
with two attacks refused.

  --once                 exit after the walkthrough: 0 only if every step went as expected
  --cert-ttl <duration>  workload certificate lifetime, renewed at half-life (default 1h, CERT_TTL;
                         at least 30s), e.g. 30s to watch certificates rotate live
  --cluster              three nats-server nodes (mutual-TLS routes, JetStream at R3) and two
                         replicas each of edge (EDGE_PORT and the next port), sts, orders, inventory
  --jaeger               traces to Jaeger all-in-one ${JAEGER_VERSION} (UI on :16686), built from its Go
                         module into .bin/jaeger when not found; without it Jaeger is used when found
                         (JAEGER_BIN, .bin/jaeger, PATH), else the estate's own OTLP receiver
  -h, --help             this text

Environment: CERTS_DIR (certs/out), ESTATE_DIR (.estate), EDGE_PORT, AUTH_PORT, SPA_PORT.
`;

export class EstateUsageError extends Error {}

export interface EstateArguments {
  readonly once: boolean;
  readonly certTtlSeconds: number;
  /** Three broker nodes and two replicas of every service (SECURITY.md S1-S3). */
  readonly cluster: boolean;
  /** Traces to Jaeger all-in-one, built if need be (SECURITY.md O2). */
  readonly jaeger: boolean;
}

/** Reads the command line (and CERT_TTL); 'help' for -h/--help; EstateUsageError for anything else it cannot take. */
export function parseEstateArguments(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EstateArguments | 'help' {
  let values: { once?: boolean; 'cert-ttl'?: string; help?: boolean; cluster?: boolean; jaeger?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { once: { type: 'boolean' }, 'cert-ttl': { type: 'string' }, help: { type: 'boolean', short: 'h' }, cluster: { type: 'boolean' }, jaeger: { type: 'boolean' } }, strict: true }));
  } catch (error) {
    throw new EstateUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return 'help';
  const raw = values['cert-ttl'] ?? env['CERT_TTL'];
  let certTtlSeconds = DEFAULT_LEAF_TTL_S;
  if (raw !== undefined && raw.trim() !== '') {
    try {
      certTtlSeconds = parseDurationSeconds(raw, '--cert-ttl');
    } catch (error) {
      throw new EstateUsageError(error instanceof Error ? error.message : String(error));
    }
  }
  if (certTtlSeconds < MIN_LEAF_TTL_S) throw new EstateUsageError(`--cert-ttl must be at least ${MIN_LEAF_TTL_S}s, got ${raw}`);
  return { once: values.once === true, certTtlSeconds, cluster: values.cluster === true, jaeger: values.jaeger === true };
}
