// Test support only (never imported by library code, never packed): the authorization server the
// repository's e2e tests and the bench run against. Node and jose only, so the bench compiles it
// too (bench/tsconfig.json).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { accessTokenClaims, signAccessToken } from './access-tokens.js';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface MintOptions {
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly scope?: string;
  readonly cnf?: Record<string, unknown>;
  readonly expiresIn?: number;
  readonly typ?: string;
  readonly iss?: string;
}

/**
 * A real authorization server's key side for tests: RFC 8414 metadata and a JWKS over HTTP on
 * 127.0.0.1, ES256 signing keys that can rotate, and real at+jwt access tokens. Counts JWKS hits.
 */
export class TestIssuer {
  private readonly keys: SigningKey[] = [];
  private server: Server | undefined;
  jwksRequests = 0;
  issuer = '';
  audience: string;

  constructor(audience: string) {
    this.audience = audience;
  }

  async start(): Promise<this> {
    await this.rotate();
    this.server = createServer((request, response) => {
      if (request.url === '/.well-known/oauth-authorization-server') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/jwks` }));
      } else if (request.url === '/jwks') {
        this.jwksRequests += 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Adds a new signing key and signs with it from now on; the old public keys stay published. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = randomUUID();
    this.keys.unshift({ kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } });
    return kid;
  }

  async mint(options: MintOptions = {}): Promise<string> {
    const key = this.keys[0] as SigningKey;
    const claims = accessTokenClaims(Math.floor(Date.now() / 1000), options.expiresIn ?? 300, {
      iss: options.iss ?? this.issuer,
      sub: options.sub ?? 'user-42',
      aud: options.aud ?? this.audience,
      scope: options.scope ?? 'orders:read orders:write',
      client_id: 'test-client',
      ...(options.cnf === undefined ? {} : { cnf: options.cnf }),
    });
    return signAccessToken(key.privateKey, claims, { kid: key.kid, typ: options.typ ?? 'at+jwt' });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
