/** One condition of readiness: undefined when met, else why not, in words an operator can act on. */
export type ReadinessCheck = () => string | undefined;

/**
 * L6: what a workload needs before it should be sent work, as named checks (certificate validity
 * left, revocations loaded...). `reasons()` lists why it is not ready; none: ready. The edge's
 * /readyz and the operations server's both read it.
 */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();

  /** Adds (or replaces) the check called `name`. */
  add(name: string, check: ReadinessCheck): this {
    this.#checks.set(name, check);
    return this;
  }

  reasons(): string[] {
    const reasons: string[] = [];
    for (const [name, check] of this.#checks) {
      let reason: string | undefined;
      try {
        reason = check();
      } catch (error) {
        reason = `${name} could not be checked: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (reason !== undefined) reasons.push(reason);
    }
    return reasons;
  }
}
