import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type SecureVersion, type TLSSocket } from 'node:tls';

/**
 * A NATS client at the protocol level, over the same mutual TLS as the estate's clients: INFO in
 * the clear, then the TLS upgrade (the server is not configured for handshake_first), then
 * CONNECT. nats.js closes a refused subscription itself, so it cannot show what the *server* does
 * afterwards; this shows every line the server sends, e.g. that a refused subscription receives no
 * MSG. exchange() ends each batch with PING: the server answers in order, so everything the batch
 * caused (an -ERR, a MSG already routed to this connection) arrives before the PONG, and each
 * exchange returns everything received since the previous one.
 */
export interface RawTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly maxVersion?: SecureVersion;
}

export interface RawNatsSession {
  /** The negotiated TLS version, e.g. `TLSv1.3`. */
  readonly protocol: string | null;
  /** Sends the lines, then PING; resolves with what the server sent up to the PONG. */
  exchange(lines: readonly string[]): Promise<string>;
  close(): void;
}

export const RAW_NATS_TIMEOUT_MS = 5_000; // milliseconds

function firstLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve(text.slice(0, end));
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before INFO: ${text}`)));
  });
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${RAW_NATS_TIMEOUT_MS} ms`)), RAW_NATS_TIMEOUT_MS);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

export async function rawNatsConnect(url: string, files: RawTlsFiles): Promise<RawNatsSession> {
  const { hostname, port } = new URL(url.replace(/^tls:/, 'http:'));
  const tcp = connectTcp({ host: hostname, port: Number(port) });
  const info = await within(firstLine(tcp), 'INFO');
  if (!info.startsWith('INFO ')) throw new Error(`expected INFO, got ${info}`);
  const socket: TLSSocket = await within(
    new Promise((resolve, reject) => {
      const upgraded = connectTls({
        socket: tcp,
        cert: readFileSync(files.certFile),
        key: readFileSync(files.keyFile),
        ca: readFileSync(files.caFile),
        ...(files.maxVersion === undefined ? {} : { maxVersion: files.maxVersion }),
      });
      upgraded.once('secureConnect', () => resolve(upgraded));
      upgraded.once('error', reject);
    }),
    'TLS handshake',
  );
  let received = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
    for (const waiter of waiters.splice(0)) waiter();
  });
  socket.on('error', () => undefined); // a refusal shows in exchange(), not as an unhandled error
  // Everything after the last PONG handed out belongs to the next exchange, including messages
  // that arrived in between (a MSG routed while the test was publishing elsewhere).
  let cursor = 0;
  const exchange = async (lines: readonly string[]): Promise<string> => {
    socket.write([...lines, 'PING', ''].join('\r\n'));
    return within(
      new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const since = received.slice(cursor);
          const pong = since.indexOf('PONG\r\n');
          if (pong >= 0) {
            cursor += pong + 'PONG\r\n'.length;
            resolve(since.slice(0, pong));
          }
          else if (socket.destroyed) reject(new Error(`connection closed: ${since}`));
          else waiters.push(check);
        };
        socket.once('close', check);
        check();
      }),
      `answer to ${lines.join(' | ') || 'PING'}`,
    );
  };
  const connected = await exchange([`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, tls_required: true, protocol: 1, headers: true, name: 'raw-nats-test' })}`]);
  if (connected.includes('-ERR')) throw new Error(`CONNECT refused: ${connected}`);
  return { protocol: socket.getProtocol(), exchange, close: () => socket.destroy() };
}
