/**
 * The redirect URI of a native app (RFC 8252 §7.3): an HTTP listener on the loopback IP, on a
 * port the OS picks for this one authorization request. The authorization server registered
 * http://127.0.0.1/callback and accepts any port for a native client.
 *
 * RFC 8252 §8.3: listen on the loopback interface only, and use the IP literal rather than
 * "localhost", which a misconfigured resolver could send elsewhere. Only the first request to the
 * callback path is taken; the listener closes after it.
 */
import { createServer, type Server } from 'node:http';

export interface LoopbackRedirect {
  /** e.g. http://127.0.0.1:53187/callback */
  readonly redirectUri: string;
  /** The full callback URL the browser was sent to (code, state, iss, or an error). */
  waitForCallback(timeoutMs: number): Promise<URL>;
  close(): Promise<void>;
}

const LOOPBACK_IP = '127.0.0.1';

const DONE_PAGE = `<!doctype html><meta charset="utf-8"><title>Signed in</title>
<p>Authorization finished. You can close this window and return to the app.</p>\n`;

export async function startLoopbackRedirect(path: string): Promise<LoopbackRedirect> {
  let deliver: (url: URL) => void = () => {};
  let abandon: (reason: Error) => void = () => {};
  const received = new Promise<URL>((resolve, reject) => {
    deliver = resolve;
    abandon = reject;
  });
  // Whoever stops waiting early (an error before the callback) must not leave a rejection
  // that nobody handles.
  received.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method !== 'GET' || url.pathname !== path) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(DONE_PAGE);
    deliver(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK_IP, () => resolve());
  });
  const { port } = server.address() as { port: number };
  base = `http://${LOOPBACK_IP}:${port}`;

  return {
    redirectUri: `${base}${path}`,
    waitForCallback(timeoutMs) {
      timer = setTimeout(() => abandon(new Error(`no authorization response within ${timeoutMs / 1000}s`)), timeoutMs);
      return received.finally(() => clearTimeout(timer));
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer);
        abandon(new Error('the loopback listener was closed before the authorization response arrived'));
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
