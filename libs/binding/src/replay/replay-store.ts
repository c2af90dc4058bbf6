/**
 * Claim-once storage for proof identifiers (E17, H6). One instance may be shared by every
 * replica (see the JetStream implementation) or kept in memory for a single process.
 *
 * `claim` is atomic: of any number of concurrent calls with the same `scope` and `id`, exactly
 * one resolves `true` while the entry lives; the others resolve `false`. It rejects (never
 * resolves `true`) when the store cannot decide: full, unreachable, or erring. Callers treat a
 * rejection as a refusal (fail closed).
 */
export interface ReplayStore {
  /**
   * @param scope  the sender: a JWK thumbprint (DPoP) or a certificate thumbprint (hop).
   * @param id     a hash of the proof's `jti`, never the raw value.
   * @param ttlSeconds how long the claim must be remembered: at least as long as the proof could
   *                   still be accepted, future-dated proofs included.
   */
  claim(scope: string, id: string, ttlSeconds: number): Promise<boolean>;
}
