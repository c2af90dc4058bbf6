import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { AppSpec } from './app-process.js';

/**
 * Where the demo puts what it makes: generated certificates (CERTS_DIR, default certs/out), logs
 * and the mobile client's key (ESTATE_DIR, default .estate), and the published ports.
 */
export interface EstateLayout {
  readonly root: string;
  readonly certsDir: string;
  readonly stateDir: string;
  readonly ports: { readonly edge: number; readonly auth: number; readonly spa: number };
}

export const DEFAULT_PORTS = Object.freeze({ edge: 3000, auth: 4000, spa: 5173 });

export function estateLayout(root: string, env: NodeJS.ProcessEnv): EstateLayout {
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw new Error(`${name}: must be a port number, got "${raw}"`);
    return Number(raw);
  };
  return Object.freeze({
    root,
    certsDir: resolve(root, env['CERTS_DIR'] || 'certs/out'),
    stateDir: resolve(root, env['ESTATE_DIR'] || '.estate'),
    ports: { edge: port('EDGE_PORT', DEFAULT_PORTS.edge), auth: port('AUTH_PORT', DEFAULT_PORTS.auth), spa: port('SPA_PORT', DEFAULT_PORTS.spa) },
  });
}

/**
 * Every app of the estate and the environment it runs with: the same variables a deployment
 * sets (see .env.example and docker-compose.yml). Nonces are on at the edge and the token
 * endpoint, as a careful deployment would run them; the secrets are fresh for each run.
 */
/** Replicas of each NATS service and of the edge (`--cluster`: 2); the edges listen on consecutive ports. */
export interface EstateReplicas {
  readonly replicas?: number;
}

/** The edge replicas' URLs: replica 1 on EDGE_PORT, the next on the following ports. */
export function edgeReplicaUrls(layout: EstateLayout, replicas = 1): { readonly name: string; readonly url: string }[] {
  return Array.from({ length: replicas }, (_, index) => ({ name: replicas === 1 ? 'edge' : `edge-${index + 1}`, url: `http://localhost:${layout.ports.edge + index}` }));
}

export function estateApps(layout: EstateLayout, natsUrl: string, { replicas = 1 }: EstateReplicas = {}): AppSpec[] {
  const { root, certsDir, stateDir, ports } = layout;
  const edgeUrl = `http://localhost:${ports.edge}`;
  const authUrl = `http://localhost:${ports.auth}`;
  const spaUrl = `http://localhost:${ports.spa}`;
  const fabric = { NATS_URL: natsUrl, CERTS_DIR: certsDir };
  // Internal services have no HTTP port: ready is the line each prints once it serves its subjects.
  const serving = (subject: string): AppSpec['ready'] => ({ line: new RegExp(`serving ${subject.replace('.', '\\.')}`) });
  const app = (name: string, env: Record<string, string>, ready: AppSpec['ready'], replica?: number): AppSpec => ({
    name: replica === undefined ? name : `${name}-${replica}`,
    main: join(root, 'dist/apps', name, 'main.js'),
    env: { NODE_ENV: 'development', ...env },
    ready,
    logFile: join(stateDir, 'logs', `${replica === undefined ? name : `${name}-${replica}`}.log`),
  });
  const nonceSecret = (): string => randomBytes(32).toString('base64url');
  if (replicas > 1) return replicated(layout, natsUrl, replicas, app, nonceSecret);
  return [
    app('auth', {
      AUTH_PORT: String(ports.auth),
      AUTH_ISSUER: authUrl,
      EDGE_AUDIENCE: edgeUrl,
      AUTH_SPA_REDIRECT_URIS: `${spaUrl}/callback`,
      AUTH_DPOP_NONCE: 'required',
      AUTH_DPOP_NONCE_SECRET: nonceSecret(),
    }, { url: `${authUrl}/.well-known/openid-configuration` }),
    // The STS exchanges the client tokens of this issuer for this audience (keys fetched on first use).
    app('sts', { ...fabric, AUTH_ISSUER: authUrl, AUTH_JWKS_URI: `${authUrl}/jwks`, EDGE_AUDIENCE: edgeUrl }, serving('sts.exchange')),
    app('inventory', fabric, serving('inventory.reserve')),
    app('orders', fabric, serving('orders.create')),
    app('edge', {
      ...fabric,
      EDGE_PORT: String(ports.edge),
      EDGE_PUBLIC_URL: edgeUrl,
      AUTH_ISSUER: authUrl,
      EDGE_CORS_ORIGINS: spaUrl,
      DPOP_NONCE: 'required',
      DPOP_NONCE_SECRET: nonceSecret(),
      // Proof jtis claimed in the edge's bucket, as replicas would share it (E17).
      REPLAY_STORE: 'jetstream',
    }, { url: `${edgeUrl}/readyz` }),
    app('spa', {
      SPA_PORT: String(ports.spa),
      SPA_PUBLIC_URL: spaUrl,
      AUTH_ISSUER: authUrl,
      EDGE_PUBLIC_URL: edgeUrl,
    }, { url: `${spaUrl}/` }),
  ];
}

type AppFactory = (name: string, env: Record<string, string>, ready: AppSpec['ready'], replica?: number) => AppSpec;

/**
 * `--cluster`: every service `replicas` times, named `<app>-<n>`. The STS replicas share the
 * signing keys file the first one writes (started first); the edge replicas share the nonce secret
 * (stateless nonces, E15), the replay bucket (E17) and the audience, each on its own port as its
 * own public origin, so the walkthrough can call each one and say which answered.
 */
function replicated(layout: EstateLayout, natsUrl: string, replicas: number, app: AppFactory, nonceSecret: () => string): AppSpec[] {
  const single = estateApps(layout, natsUrl);
  const byName = (name: string): AppSpec => single.find((spec) => spec.name === name)!;
  const times = (name: string): AppSpec[] => Array.from({ length: replicas }, (_, index) => app(name, { ...byName(name).env }, byName(name).ready, index + 1));
  const edgeSecret = nonceSecret();
  const edges = edgeReplicaUrls(layout, replicas).map(({ url }, index) => {
    const port = layout.ports.edge + index;
    return app('edge', { ...byName('edge').env, EDGE_PORT: String(port), EDGE_PUBLIC_URL: url, EDGE_AUDIENCE: `http://localhost:${layout.ports.edge}`, DPOP_NONCE_SECRET: edgeSecret }, { url: `${url}/readyz` }, index + 1);
  });
  // One signing key set for both STS replicas: orders and inventory fetch sts.jwks from either.
  const sts = Array.from({ length: replicas }, (_, index) => app('sts', { ...byName('sts').env, STS_KEYS_FILE: join(layout.stateDir, 'sts-keys.json') }, byName('sts').ready, index + 1));
  return [byName('auth'), ...sts, ...times('inventory'), ...times('orders'), ...edges, byName('spa')];
}
