import { BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import type { RevocationEntry, RevocationList } from './revocation-list.js';

/**
 * A revocation list that is fed in the background (startRevocationFeed) by a service that must
 * start before the broker answers, as the edge does. Until `loaded()` is called, once the history
 * of revocations in force has been applied, every lookup fails closed with RevocationsUnavailable
 * (503: retry), never with an answer: an empty list would accept a revoked token.
 * Does not feed the list: the revocation feed does.
 */
export class LoadingRevocationList implements RevocationList {
  #loaded = false;

  constructor(private readonly list: RevocationList) {}

  get isLoaded(): boolean {
    return this.#loaded;
  }

  /** The feed has applied the revocations in force: answer from the list from now on. */
  loaded(): void {
    this.#loaded = true;
  }

  isRevoked(entry: RevocationEntry): boolean {
    if (!this.#loaded) throw new BindingError(FailureType.RevocationsUnavailable, 'the revocations in force are not known yet');
    return this.list.isRevoked(entry);
  }
}
