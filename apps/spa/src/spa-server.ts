/**
 * A small static server for the SPA (node:http, no framework): the built page and its bundle,
 * the page's settings as `/config.json`, and `/healthz`. It serves a fixed list of files read
 * into memory at start, so no request path ever reaches the file system.
 *
 * The page runs on its own origin (e.g. http://localhost:5173), apart from the edge and the
 * authorization server, so every call it makes is cross-origin: the edge's CORS (E24) and the
 * authorization server's client-based CORS are what let it work.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CALLBACK_PATH, type SpaConfig } from './spa-config.js';

export interface SpaServer {
  /** Where it listens, e.g. http://127.0.0.1:5173 (the browser uses the configured public URL). */
  readonly url: string;
  close(): Promise<void>;
}

/** What the page reads from /config.json (apps/spa/web/spa-settings.ts reads the same shape). */
export interface BrowserSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly resource: string;
  readonly scope: string;
  readonly edgeUrl: string;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly cacheControl: string;
}

/** The files `apps/spa/bundle-web.mjs` writes into the public folder, by URL path. */
const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/spa.css': { file: 'spa.css', type: 'text/css; charset=utf-8' },
};
const PAGE_PATHS = new Set(['/', CALLBACK_PATH]);

export function browserSettings(config: SpaConfig): BrowserSettings {
  return Object.freeze({
    issuer: config.issuer,
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    resource: config.resource,
    scope: config.scope,
    edgeUrl: config.edgeUrl,
  });
}

/**
 * The page may load its own script and style and talk to exactly the authorization server and
 * the edge. No inline script, no eval, no framing; Trusted Types keep any string-to-HTML sink
 * shut (the page writes text only). `form-action 'none'`: the page has no forms; the login form
 * lives on the authorization server's own page, under that page's policy.
 */
export function contentSecurityPolicy(config: SpaConfig): string {
  const connect = [...new Set(["'self'", config.issuer, config.edgeUrl])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
  ].join('; ');
}

async function loadAssets(publicDir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const read = async (file: string): Promise<Buffer> => {
    try {
      return await readFile(join(publicDir, file));
    } catch (cause) {
      throw new Error(`${join(publicDir, file)} is missing: run npm run build (it bundles the page)`, { cause });
    }
  };
  const page = await read('index.html');
  for (const path of PAGE_PATHS) assets.set(path, { body: page, type: 'text/html; charset=utf-8', cacheControl: 'no-store' });
  for (const [path, { file, type }] of Object.entries(FILES)) {
    // no-cache: revalidate, so a rebuilt bundle is picked up at once in the demo.
    assets.set(path, { body: await read(file), type, cacheControl: 'no-cache' });
  }
  return assets;
}

function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    // The callback URL carries the authorization code: never send it on as a Referer.
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export async function startSpaServer(config: SpaConfig, publicDir: string): Promise<SpaServer> {
  const assets = await loadAssets(publicDir);
  const settings = Buffer.from(JSON.stringify(browserSettings(config)));
  assets.set('/config.json', { body: settings, type: 'application/json', cacheControl: 'no-store' });
  assets.set('/healthz', { body: Buffer.from('{"status":"ok"}'), type: 'application/json', cacheControl: 'no-store' });
  const headers = securityHeaders(contentSecurityPolicy(config));

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    // The request target as sent, without its query (the callback's code, state and iss are the
    // page's): compared verbatim with the list, so "//x", "/../x" or "%2e" never match anything.
    const target = req.url ?? '';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const asset = assets.get(path);
    if (asset === undefined) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('not found\n');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': asset.type, 'Content-Length': asset.body.length, 'Cache-Control': asset.cacheControl });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
