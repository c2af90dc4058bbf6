/**
 * The estate a browser test needs, as real processes on free ports: the authorization server
 * (apps/auth, the real one: it issues the tokens), the edge with EDGE_CORS_ORIGINS naming the
 * SPA's origin, and the SPA's own static server on a third origin. Nonces are required at both
 * the token endpoint and the edge, so the page's automatic use_dpop_nonce retry runs, and so does
 * the CORS exposure of WWW-Authenticate and DPoP-Nonce it depends on (E24).
 *
 * The orders path needs the internal services: a nats-server with mTLS and fresh certificates
 * (test-support/estate-fabric.ts) is started, and sts, orders, inventory and the edge get its
 * NATS_URL and CERTS_DIR, the variables libs/estate reads.
 *
 * Everything listens on 127.0.0.1; the browser and the tokens use http://localhost:<port>.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { startEstateFabric, type EstateFabric } from '../../../test-support/estate-fabric.js';
import { freePort } from '../../../test-support/free-port.js';
import type { AppProcess } from '../../../scripts/estate/app-process.js';
import { builtApp, builtAppPath } from '../../../test-support/built-app.js';

export const INTERNAL_SERVICES = ['sts', 'inventory', 'orders'] as const;

export interface BrowserEstate {
  readonly issuer: string;
  readonly edgeUrl: string;
  readonly spaUrl: string;
  /** Everyone's recent output, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

function nonceSecret(): string {
  return randomBytes(32).toString('base64url'); // 32 bytes: what apps/auth requires, enough for the edge
}

export async function startBrowserEstate(): Promise<BrowserEstate> {
  for (const app of ['auth', 'edge', 'spa', ...INTERNAL_SERVICES]) {
    if (!existsSync(builtAppPath(app))) throw new Error(`${builtAppPath(app)} is missing: run npm run build first`);
  }
  const [authPort, edgePort, spaPort] = [await freePort(), await freePort(), await freePort()];
  const issuer = `http://localhost:${authPort}`;
  const edgeUrl = `http://localhost:${edgePort}`;
  const spaUrl = `http://localhost:${spaPort}`;
  const running: AppProcess[] = [];
  let fabric: EstateFabric | undefined;

  const stop = async (): Promise<void> => {
    await Promise.all(running.splice(0).map((service) => service.stop()));
    await fabric?.stop();
  };
  const start = async (service: AppProcess): Promise<void> => {
    running.push(service);
    await service.start();
  };

  try {
    fabric = await startEstateFabric();
    const env = fabric.env();
    // The STS verifies the client tokens the edge exchanges: the issuer's keys (fetched when
    // first needed: auth starts after it) and the edge's external audience.
    const stsEnv = { ...env, AUTH_ISSUER: issuer, AUTH_JWKS_URI: `${issuer}/jwks`, EDGE_AUDIENCE: edgeUrl };
    await Promise.all(INTERNAL_SERVICES.map((app) => start(builtApp(app, app === 'sts' ? stsEnv : env))));
    await start(
      builtApp('auth', {
        AUTH_PORT: String(authPort),
        AUTH_HOST: '127.0.0.1',
        AUTH_ISSUER: issuer,
        EDGE_AUDIENCE: edgeUrl,
        AUTH_SPA_REDIRECT_URIS: `${spaUrl}/callback`,
        AUTH_DPOP_NONCE: 'required',
        AUTH_DPOP_NONCE_SECRET: nonceSecret(),
      }, { url: `http://127.0.0.1:${authPort}/.well-known/openid-configuration` }),
    );
    await start(
      builtApp('edge', {
        ...env,
        EDGE_PORT: String(edgePort),
        EDGE_HOST: '127.0.0.1',
        EDGE_PUBLIC_URL: edgeUrl,
        AUTH_ISSUER: issuer,
        EDGE_CORS_ORIGINS: spaUrl,
        DPOP_NONCE: 'required',
        DPOP_NONCE_SECRET: nonceSecret(),
      }, { url: `http://127.0.0.1:${edgePort}/readyz` }),
    );
    await start(
      builtApp('spa', {
        SPA_PORT: String(spaPort),
        SPA_HOST: '127.0.0.1',
        SPA_PUBLIC_URL: spaUrl,
        AUTH_ISSUER: issuer,
        EDGE_PUBLIC_URL: edgeUrl,
      }, { url: `http://127.0.0.1:${spaPort}/healthz` }),
    );
    return {
      issuer,
      edgeUrl,
      spaUrl,
      output: () => running.map((service) => `--- ${service.name}\n${service.output}`).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
