import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from './readiness.js';

/** Loopback only: operations data (readiness reasons, later metrics) is not for the network. */
export const DEFAULT_OPS_HOST = '127.0.0.1';

/** Answers one GET (or HEAD) on a path of the operations server. */
export type OperationsRoute = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface OperationsServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly readiness: Readiness;
}

/**
 * The operations HTTP server of a workload without HTTP of its own (sts, orders, inventory), on
 * OPS_PORT, bound to 127.0.0.1:
 * - `/healthz`: 200 `{ "status": "ok" }` while the process serves;
 * - `/readyz`: 200 `{ "status": "ready" }`, or 503 `{ "status": "not_ready", "reasons": [...] }`
 *   naming why (certificate close to expiry, ...), L6.
 * `route(path, handler)` adds a path (e.g. Prometheus `/metrics`). Never on a public interface:
 * node:http, GET and HEAD only, no-store.
 */
export class OperationsServer {
  readonly #routes = new Map<string, OperationsRoute>();
  readonly #server: Server;

  private constructor(readiness: Readiness) {
    this.#routes.set('/healthz', (_request, response) => json(response, 200, { status: 'ok' }));
    this.#routes.set('/readyz', (_request, response) => {
      const reasons = readiness.reasons();
      json(response, reasons.length === 0 ? 200 : 503, reasons.length === 0 ? { status: 'ready' } : { status: 'not_ready', reasons });
    });
    this.#server = createServer((request, response) => void this.#answer(request, response));
  }

  static async start(options: OperationsServerOptions): Promise<OperationsServer> {
    const server = new OperationsServer(options.readiness);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(options.port, options.host ?? DEFAULT_OPS_HOST, () => {
        server.#server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  /** The port it listens on (the one picked when started with port 0). */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  route(path: string, handler: OperationsRoute): this {
    this.#routes.set(path, handler);
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0]!;
    const route = this.#routes.get(path);
    if (route === undefined) return json(response, 404, { error: 'not_found' });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return json(response, 405, { error: 'method_not_allowed' });
    }
    try {
      await route(request, response);
    } catch {
      if (!response.headersSent) json(response, 500, { error: 'server_error' });
      else response.end();
    }
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(body));
}
