import { Controller, Get, Inject } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { protectedResourceMetadata } from '#binding/dpop';
import type { EdgeConfig } from './edge-config.js';

export const EDGE_SCOPES = ['orders:read', 'orders:write'] as const;

@Controller('.well-known')
export class ResourceMetadataController {
  private readonly document: Readonly<Record<string, unknown>>;

  constructor(@Inject(ConfigService) configService: ConfigService<{ edge: EdgeConfig }, true>) {
    const config = configService.get('edge', { infer: true });
    // E26: built once; the same algorithm list the verifier enforces and the challenge advertises.
    this.document = protectedResourceMetadata({
      resource: config.audience,
      authorizationServers: [config.issuer],
      dpopAlgorithms: config.dpopAlgorithms,
      scopes: EDGE_SCOPES,
    });
  }

  @Get('oauth-protected-resource')
  metadata(): Readonly<Record<string, unknown>> {
    return this.document;
  }
}
