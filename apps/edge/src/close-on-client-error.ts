import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** How long a refused socket may take to read our answer and close before we close it. */
export const CLIENT_ERROR_LINGER_MS = 2_000; // milliseconds

/** Sockets already answered: bytes after the error make Node's parser report it again. */
const answered = new WeakSet<Socket>();

const MESSAGES: Readonly<Record<number, string>> = {
  400: 'malformed request',
  408: 'request timeout',
  431: 'request header fields too large',
};

/**
 * Fastify's `clientErrorHandler` for the edge: answers a request Node's parser refused (431 for
 * headers over the limit, 408 for a request timeout, 400 for anything malformed) and then closes
 * the connection, saying so. RFC 9112 §9.6: "A server that sends a 'close' connection option MUST
 * initiate closure of the connection ... after it sends the response containing 'close'", and a
 * client that receives it "MUST NOT send further requests on that connection". Fastify's default
 * handler writes the answer without `Connection: close` and destroys the socket, so a keep-alive
 * client puts the socket back in its pool and its next request dies with a socket hang up (issue
 * 14: about 760 pooled sockets in a 100,000-request run). Node's own default (the Express
 * adapter's) sends `Connection: close` but destroys the socket at once, so a client still sending
 * a large header gets a reset instead of the answer: the edge installs this handler there too.
 * The answer is written with `end()` (FIN after the bytes) and the rest of the refused request is
 * read and dropped, so the kernel does not reset the connection over unread bytes before the
 * client has read the answer; a client that never closes is cut off after CLIENT_ERROR_LINGER_MS.
 * Does not log: the request never reached a route, so it has no trace, hop or failure type.
 */
export function closeOnClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer (Node's own handler does the same).
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message: MESSAGES[status] });
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.on('error', () => socket.destroy()); // a peer gone mid-answer is not our error to report
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      'Cache-Control: no-store\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.resume(); // read and drop what the client still sends
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
}
