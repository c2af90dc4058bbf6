/**
 * Mounts oidc-provider at the root of the Nest app: every request no other controller matched
 * (discovery, JWKS, /auth, /token, /token/revocation, /session/end, ...) goes to the current
 * provider's Koa callback with the raw Node request and response, untouched. This controller
 * must be registered after the others, since Nest registers routes in controller order.
 */
import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProviderHost } from './provider-host.js';

@Controller()
export class ProviderMountController {
  constructor(@Inject(ProviderHost) private readonly host: ProviderHost) {}

  @All('{*path}')
  mount(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    this.host.handle(req, res);
  }
}
