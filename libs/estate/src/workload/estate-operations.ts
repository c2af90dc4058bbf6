import { OperationsServer } from '../ops/operations-server.js';
import { observeWorkload, workloadTelemetry } from '../telemetry/workload-telemetry.js';
import type { EstateLink } from './estate-link.js';

/**
 * The workload's operations server (/healthz, /readyz from `link.readiness`, and Prometheus text at
 * /metrics when the process started its telemetry, O1) on OPS_PORT, bound to 127.0.0.1; undefined
 * when OPS_PORT is unset. Also registers the workload's certificate and revocation gauges and its
 * certificate_rotated audit lines (observeWorkload). Close it with the app.
 */
export async function startEstateOperations(link: EstateLink): Promise<OperationsServer | undefined> {
  const telemetry = workloadTelemetry(link.config.identity);
  observeWorkload(link.config.identity, link.config.spiffeId, link.identity, telemetry.audit, link.revocations);
  const port = link.config.opsPort;
  if (port === undefined) return undefined;
  const server = await OperationsServer.start({ port, readiness: link.readiness });
  const prometheus = telemetry.telemetry.prometheus;
  if (prometheus !== undefined) server.route('/metrics', prometheus);
  return server;
}
