import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * SIGHUP to a running nats-server, resolved by what the server says rather than by a delay:
 * `Reloaded server configuration` (server/reload.go) or `Failed to reload server configuration:
 * <why>` (server/signal.go; the server then keeps its previous configuration). The reload re-reads
 * the config file and every file it names (certificate, key, CA bundle, included pins).
 */
export interface ReloadSignal {
  readonly child: ChildProcess;
  /** Registers a listener for the server's output from now on; returns its removal. */
  readonly onOutput: (listener: (chunk: string) => void) => () => void;
  /** The server's recent output, for the error message. */
  readonly logTail: () => string;
  readonly timeoutMs: number;
}

const RELOADED = /Reloaded server configuration/;
const RELOAD_FAILED = /Failed to reload server configuration: [^\n]*/;
const SEEN_LIMIT_CHARS = 64 * 1024;

export async function signalReload({ child, onOutput, logTail, timeoutMs }: ReloadSignal): Promise<void> {
  const cleanups: Array<() => void> = [];
  const cancel = new AbortController();
  cleanups.push(() => cancel.abort()); // a pending timer would keep the test process alive
  const outcome = new Promise<void>((resolve, reject) => {
    let seen = '';
    cleanups.push(
      onOutput((chunk) => {
        // Chunks may split a line: match on what arrived since the signal.
        seen = (seen + chunk).slice(-SEEN_LIMIT_CHARS);
        const failed = RELOAD_FAILED.exec(seen);
        if (failed !== null) reject(new Error(`nats-server refused the reload: ${failed[0]}\n${logTail()}`));
        else if (RELOADED.test(seen)) resolve();
      }),
    );
    const exited = (): void => reject(new Error(`nats-server exited during the reload:\n${logTail()}`));
    child.once('exit', exited);
    cleanups.push(() => child.removeListener('exit', exited));
    sleep(timeoutMs, undefined, { signal: cancel.signal }).then(
      () => reject(new Error(`nats-server logged no reload within ${timeoutMs} ms:\n${logTail()}`)),
      () => undefined,
    );
  });
  try {
    if (!child.kill('SIGHUP')) throw new Error('could not signal nats-server (SIGHUP)');
    await outcome;
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}
