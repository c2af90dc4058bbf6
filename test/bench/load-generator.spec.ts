import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startAutocannon } from '../../bench/harness/load-generator.js';

/** A local HTTP server: answers 204, or (`silent`) accepts every request and never answers. */
async function startServer(silent: boolean): Promise<{ readonly url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => {
    if (!silent) response.writeHead(204).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('bench load generator: a run ends, whatever the server does', () => {
  it('a server that answers: the run resolves once every request is answered', async () => {
    const server = await startServer(false);
    try {
      const result = await startAutocannon({ url: server.url, connections: 2, amount: 20 }, { stallSeconds: 30 }).result;
      expect(result.ok).toBe(20);
      expect(result.errors).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('a server that stops answering: the run is stopped and rejects, naming how far it got, instead of hanging', async () => {
    const server = await startServer(true);
    try {
      await expect(startAutocannon({ url: server.url, connections: 2, amount: 20 }, { stallSeconds: 1 }).result)
        .rejects.toThrow(/no response for 1 s after 0 responses; stopped/);
    } finally {
      await server.close();
    }
  });
});
