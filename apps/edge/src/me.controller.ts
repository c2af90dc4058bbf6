import { Controller, Get } from '@nestjs/common';
import { Bound, Principal, type BoundPrincipal } from '#binding/nest';

@Controller('v1')
export class MeController {
  /** Any valid DPoP-bound token: the verified principal, never the token. */
  @Get('me')
  @Bound({ confirmation: 'dpop' })
  me(@Principal() principal: BoundPrincipal): object {
    return {
      sub: principal.subject,
      client_id: principal.clientId,
      scope: principal.scopes.join(' '),
      confirmation: principal.confirmation,
      jkt: principal.thumbprint,
    };
  }
}
