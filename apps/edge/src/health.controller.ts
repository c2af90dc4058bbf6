import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { EdgeIdentity } from './edge-identity.js';
import { EdgeRevocations } from './edge-revocations.js';

@Controller()
export class HealthController {
  constructor(
    @Inject(EdgeRevocations) private readonly revocations: EdgeRevocations,
    @Inject(EdgeIdentity) private readonly identity: EdgeIdentity,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the DPoP routes can accept, i.e. the revocations in force are loaded (H12) when
   * NATS is configured, and the edge's certificate is not within its margin of expiry (L6: a
   * renewal that keeps failing makes the edge leave the rotation before its calls to orders fail).
   * Until then 503, naming why; an orchestrator waits on this route.
   */
  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  ready(): { status: 'ready' } {
    if (this.revocations.list !== undefined && !this.revocations.list.isLoaded) {
      throw new ServiceUnavailableException('the revocations in force are not loaded yet');
    }
    const certificate = this.identity.notReadyReason();
    if (certificate !== undefined) throw new ServiceUnavailableException(certificate);
    return { status: 'ready' };
  }
}
