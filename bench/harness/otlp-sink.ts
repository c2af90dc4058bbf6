import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OTLP/HTTP endpoint that takes every export (POST /v1/traces, /v1/metrics, /v1/logs), reads
 * it whole and answers 200 `{}`, counting requests and bytes: what the telemetry bench points the
 * apps' exporters at, so their cost (serialising, batching, sending) is paid as in production.
 */
export class OtlpSink {
  requests = 0;
  bytes = 0;
  readonly #server: Server;

  private constructor() {
    this.#server = createServer((request, response) => {
      request.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
      request.on('end', () => {
        this.requests++;
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end('{}');
      });
    });
  }

  static async start(): Promise<OtlpSink> {
    const sink = new OtlpSink();
    await new Promise<void>((resolve) => sink.#server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
