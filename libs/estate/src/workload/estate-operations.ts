import { OperationsServer } from '../ops/operations-server.js';
import type { EstateLink } from './estate-link.js';

/**
 * The workload's operations server (/healthz, /readyz from `link.readiness`) on OPS_PORT, bound to
 * 127.0.0.1; undefined when OPS_PORT is unset. Close it with the app.
 */
export async function startEstateOperations(link: EstateLink): Promise<OperationsServer | undefined> {
  const port = link.config.opsPort;
  if (port === undefined) return undefined;
  return OperationsServer.start({ port, readiness: link.readiness });
}
