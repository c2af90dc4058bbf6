import { createServer } from 'node:net';

/**
 * A TCP port nobody listens on right now, from the kernel's ephemeral range. Another process
 * may still take it before nats-server binds it; the supervisor retries with a new one then.
 */
export function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
