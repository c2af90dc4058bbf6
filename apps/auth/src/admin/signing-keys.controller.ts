/**
 * Development/admin route for key rotation: POST /admin/signing-keys/rotate makes a new signing
 * key current; the previous key stays in the JWKS until the tokens it signed have expired.
 *
 * It exists only when AUTH_ADMIN_TOKEN is set (404 otherwise) and requires that token as
 * `Authorization: Bearer <token>`, compared in constant time. Programs that start the server
 * in-process call AuthServer.rotateSigningKey() instead.
 */
import { Controller, Headers, HttpCode, Inject, NotFoundException, Post, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AUTH_CONFIG } from '../auth-tokens.js';
import type { AuthConfig } from '../auth-config.js';
import { ProviderHost } from '../provider/provider-host.js';

export interface RotationResult {
  /** The new current key. */
  readonly kid: string;
  /** Every key in the JWKS, current first. */
  readonly published: readonly string[];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

@Controller('admin/signing-keys')
export class SigningKeysController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(ProviderHost) private readonly host: ProviderHost,
  ) {}

  @Post('rotate')
  @HttpCode(200)
  async rotate(@Headers('authorization') authorization: string | undefined): Promise<RotationResult> {
    if (this.config.adminToken === undefined) throw new NotFoundException();
    const presented = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(presented), digest(this.config.adminToken))) {
      throw new UnauthorizedException('admin token required');
    }
    const key = await this.host.rotateSigningKey();
    return { kid: key.kid, published: this.host.publishedKids };
  }
}
