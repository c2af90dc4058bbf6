import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { WorkloadIdentity } from '#estate';
import type { EdgeConfig } from './edge-config.js';

/**
 * The edge's certificate as it is renewed (SECURITY.md L2, L3, L6), when NATS is configured: the
 * hop-proof signer of its calls to orders follows it, its NATS connections (orders client,
 * revocation feed, shared replay store) move to it make-before-break, and /readyz turns 503 within
 * the margin of its expiry (CERT_READY_MARGIN_S). Undefined `identity` without NATS.
 */
@Injectable()
export class EdgeIdentity implements OnApplicationShutdown {
  private constructor(readonly identity: WorkloadIdentity | undefined) {}

  static open(config: EdgeConfig): EdgeIdentity {
    return new EdgeIdentity(config.nats === undefined ? undefined : WorkloadIdentity.start(config.nats));
  }

  /**
   * Why the edge is not ready as far as its certificate goes; undefined when it is. Public port:
   * no file names or times in the answer, the log has them (IdentityWatcher).
   */
  notReadyReason(): string | undefined {
    return this.identity?.readiness() === undefined ? undefined : 'the certificate is within its margin of expiry and not renewed';
  }

  onApplicationShutdown(): void {
    this.identity?.close();
  }
}
