import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { EdgeRevocations } from './edge-revocations.js';

@Controller()
export class HealthController {
  constructor(@Inject(EdgeRevocations) private readonly revocations: EdgeRevocations) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the DPoP routes can accept, i.e. the revocations in force are loaded (H12) when
   * NATS is configured. Until then they answer 503; an orchestrator waits on this route.
   */
  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  ready(): { status: 'ready' } {
    if (this.revocations.list !== undefined && !this.revocations.list.isLoaded) {
      throw new ServiceUnavailableException('the revocations in force are not loaded yet');
    }
    return { status: 'ready' };
  }
}
