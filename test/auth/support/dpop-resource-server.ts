/**
 * A stand-in protected resource for the mobile client's `call` until the edge is wired in: a
 * real HTTP server on 127.0.0.1 that checks the DPoP proof it receives (signature with the
 * embedded key, typ, htm, htu, ath) and demands a server nonce on the first request, as an edge
 * in AUTH/DPOP_NONCE=required mode would. It records what it saw for the test to inspect.
 *
 * Not a reference verifier: it does not check the access token itself; libs/binding does that.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { EmbeddedJWK, calculateJwkThumbprint, jwtVerify, type JWK } from 'jose';

export interface SeenRequest {
  readonly authorization: string | undefined;
  readonly nonce: unknown;
  readonly jkt: string;
}

export interface DpopResourceServer {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export const RESOURCE_NONCE = 'nonce-from-the-resource';

export async function startDpopResourceServer(): Promise<DpopResourceServer> {
  const seen: SeenRequest[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const authorization = req.headers.authorization;
      const token = /^DPoP (\S+)$/.exec(authorization ?? '')?.[1];
      const proof = req.headers.dpop;
      if (token === undefined || typeof proof !== 'string') {
        res.writeHead(401, { 'WWW-Authenticate': 'DPoP algs="ES256"' }).end();
        return;
      }
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
      const url = new URL(req.url ?? '/', base);
      const ath = createHash('sha256').update(token).digest('base64url');
      if (payload['htm'] !== req.method || payload['htu'] !== `${base}${url.pathname}` || payload['ath'] !== ath) {
        res.writeHead(401, { 'WWW-Authenticate': 'DPoP error="invalid_dpop_proof"' }).end();
        return;
      }
      const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256');
      seen.push({ authorization, nonce: payload['nonce'], jkt });
      if (url.pathname === '/refuse') {
        res.writeHead(401, { 'WWW-Authenticate': 'DPoP error="invalid_token", error_description="refused for the test"' }).end();
        return;
      }
      if (payload['nonce'] !== RESOURCE_NONCE) {
        res.writeHead(401, { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': RESOURCE_NONCE, 'Cache-Control': 'no-store' }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jkt, path: url.pathname }));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(401, { 'WWW-Authenticate': 'DPoP error="invalid_dpop_proof"' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: base,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
