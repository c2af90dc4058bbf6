/**
 * Holds the running oidc-provider instance and replaces it when the signing keys change.
 *
 * oidc-provider reads its key set once, at construction, and offers no API to add a key. Key
 * rotation therefore builds a new Provider over the same storage, cookie keys and accounts, with
 * the new key first (it signs) and the retired keys after it (still in the JWKS), and swaps it
 * in. Requests already inside the old instance finish there; state lives in the shared storage,
 * so logins, codes and refresh tokens carry over. When a retired key's tokens have all expired, a
 * timer rebuilds once more without it.
 */
import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { SigningKey, SigningKeyRing } from '../keys/signing-key-ring.js';
import { providerConfiguration, type ProviderParts } from './provider-configuration.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const REMOVAL_SLACK_MS = 1000; // run the removal just after the deadline, never just before

export class ProviderHost {
  #provider: Provider;
  #handler: Handler;
  #removalTimer: NodeJS.Timeout | undefined;
  readonly #log = new Logger('SigningKeys');

  constructor(
    private readonly parts: Omit<ProviderParts, 'keys'>,
    private readonly ring: SigningKeyRing,
    private readonly now: () => number = () => Date.now(),
  ) {
    [this.#provider, this.#handler] = this.build();
    this.scheduleRemoval();
  }

  get provider(): Provider {
    return this.#provider;
  }

  get signingKid(): string {
    return this.ring.current.kid;
  }

  /** Publishes kids in JWKS order: current first. */
  get publishedKids(): string[] {
    return this.ring.keys.map((key) => key.kid);
  }

  /** Hands a request to the current provider (its Koa callback). */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.#handler(req, res);
  }

  /** Adds a new signing key, makes it current, and keeps the old one published. */
  async rotateSigningKey(): Promise<SigningKey> {
    const key = await this.ring.rotate();
    [this.#provider, this.#handler] = this.build();
    this.scheduleRemoval();
    this.#log.log(`signing key rotated: ${key.kid} signs; JWKS ${this.publishedKids.join(', ')}`);
    return key;
  }

  close(): void {
    clearTimeout(this.#removalTimer);
  }

  private build(): [Provider, Handler] {
    const provider = new Provider(this.parts.config.issuer, providerConfiguration({ ...this.parts, keys: this.ring.keys }));
    return [provider, provider.callback() as Handler];
  }

  private scheduleRemoval(): void {
    clearTimeout(this.#removalTimer);
    const removalAt = this.ring.nextRemovalAt();
    if (removalAt === undefined) return;
    const delay = Math.max(0, removalAt * 1000 - this.now()) + REMOVAL_SLACK_MS;
    this.#removalTimer = setTimeout(() => {
      // A failed save leaves the retired key published a while longer; harmless, so log it.
      this.removeExpiredKeys().catch((error: unknown) => this.#log.error(`could not remove retired keys: ${String(error)}`));
    }, delay);
    // A pending removal must not keep a finished process (or a test run) alive.
    this.#removalTimer.unref();
  }

  private async removeExpiredKeys(): Promise<void> {
    try {
      if (this.ring.prune()) {
        [this.#provider, this.#handler] = this.build();
        this.#log.log(`retired keys removed; JWKS now ${this.publishedKids.join(', ')}`);
        await this.ring.save();
      }
    } finally {
      this.scheduleRemoval();
    }
  }
}
