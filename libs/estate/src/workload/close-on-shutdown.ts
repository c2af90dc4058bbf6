import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';

/** Something an app opened outside Nest (a NATS connection, a feed, a timer) and must close. */
export type Closer = () => unknown;

const CLOSERS = Symbol('hybrid-estate:closers');

@Injectable()
class CloseOnShutdown implements OnApplicationShutdown {
  constructor(@Inject(CLOSERS) private readonly closers: readonly Closer[]) {}

  /** In reverse order of opening, each awaited; one failing does not keep the others open. */
  async onApplicationShutdown(): Promise<void> {
    for (const close of [...this.closers].reverse()) {
      try {
        await close();
      } catch {
        // Shutting down: nothing left to do about it.
      }
    }
  }
}

/**
 * Providers that close what the app opened before Nest started (in the order given: the last
 * opened is closed first) when the app closes: `app.close()`, or a signal with shutdown hooks on.
 */
export function closeOnShutdown(...closers: Closer[]): Provider[] {
  return [{ provide: CLOSERS, useValue: Object.freeze(closers) }, CloseOnShutdown];
}
