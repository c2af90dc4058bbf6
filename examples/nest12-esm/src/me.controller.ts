import { Controller, Get } from '@nestjs/common';
import { Bound, Principal, type BoundPrincipal } from '@hybrid-estate/binding/nest';

@Controller()
export class MeController {
  /** Any valid DPoP-bound token with the `orders:read` scope. */
  @Get('me')
  @Bound({ confirmation: 'dpop', scopes: ['orders:read'] })
  me(@Principal() principal: BoundPrincipal): object {
    return { sub: principal.subject, scope: principal.scopes.join(' '), jkt: principal.thumbprint };
  }

  /** Needs a scope the example's tokens do not carry unless asked: 403 insufficient_scope otherwise. */
  @Get('admin')
  @Bound({ confirmation: 'dpop', scopes: ['orders:admin'] })
  admin(@Principal() principal: BoundPrincipal): object {
    return { sub: principal.subject };
  }
}
