import { integerVariable, optionalVariable, type Env } from '../config/env-variables.js';
import { OperationsServer } from '../ops/operations-server.js';
import { Readiness } from '../ops/readiness.js';
import { startWorkloadTelemetry, type WorkloadTelemetry } from './workload-telemetry.js';

/**
 * The first call of an app's main() (SECURITY.md O1-O4): its telemetry from the OTEL_* variables
 * (startWorkloadTelemetry), with the Prometheus reader when OPS_PORT is set, and HTTP server spans
 * for an HTTP app (`http`: the edge, the auth server).
 */
export function startAppTelemetry(service: string, env: Env, options: { readonly http?: boolean } = {}): WorkloadTelemetry {
  return startWorkloadTelemetry(service, env, { prometheus: optionalVariable(env, 'OPS_PORT') !== undefined, http: options.http === true });
}

/**
 * The operations port of an HTTP app (the edge, the auth server), never its public port: OPS_PORT
 * on 127.0.0.1 with /healthz, /readyz (always ready: the app's own /readyz is on its public port)
 * and Prometheus text at /metrics (O1). Undefined when OPS_PORT is unset.
 */
export async function startHttpAppOperations(env: Env, telemetry: WorkloadTelemetry): Promise<OperationsServer | undefined> {
  if (optionalVariable(env, 'OPS_PORT') === undefined) return undefined;
  const server = await OperationsServer.start({ port: integerVariable(env, 'OPS_PORT', 0, 0, 65535), readiness: new Readiness() });
  const prometheus = telemetry.telemetry.prometheus;
  if (prometheus !== undefined) server.route('/metrics', prometheus);
  return server;
}
