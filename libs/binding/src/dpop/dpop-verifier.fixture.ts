// The DPoP verifier wired to real keys, a real token issuer and a Map replay store, for the
// orchestrator specs. Never imported by library code.
import { createProofClient, signProof, type ProofClient } from '../../test-support/dpop-proofs.js';
import type { DpopVerifierOptions } from './dpop-verifier-options.js';
import { createTokenIssuer, MapReplayStore, proofClaims, testClock } from './proof-client.fixture.js';
import { createDpopVerifier, type DpopRequest } from './verify-dpop-request.js';

/** A verifier for https://api.example.com at NOW, a client, and a token bound to the client's key. */
export async function setupVerifier(options: Partial<DpopVerifierOptions> = {}) {
  const clock = testClock();
  const tokens = await createTokenIssuer(clock);
  const store = options.replayStore ?? new MapReplayStore();
  const verifier = createDpopVerifier({ origins: ['https://api.example.com'], tokenVerifier: tokens.verifier, replayStore: store, clock, ...options });
  const client = await createProofClient();
  const token = await tokens.issue({ cnf: { jkt: client.jkt } });
  /** A request for GET /orders carrying `token` and a proof signed by `signer` with `claims` over the defaults. */
  const send = async (claims: Record<string, unknown> = {}, more: Partial<DpopRequest> = {}, signer: ProofClient = client, sentToken = token) => {
    const proof = await signProof(signer, proofClaims(sentToken, claims));
    return { proof, request: dpopRequest(sentToken, proof, more) };
  };
  return { clock, tokens, store, verifier, client, token, send };
}

export function dpopRequest(token: string, proof: string, more: Partial<DpopRequest> = {}): DpopRequest {
  return { method: 'GET', target: '/orders', host: ['api.example.com'], authorization: [`DPoP ${token}`], dpop: [proof], ...more };
}
