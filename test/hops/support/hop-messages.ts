import { X509Certificate } from 'node:crypto';
import type { ClientProxy } from '@nestjs/microservices';
import type { HopProofSigner } from '#binding';
import { HOP_PROOF_LIFETIME_S } from '../../../libs/binding/src/hop/sign-hop-proof.js';
import { natsRecord, requestWithTimeout } from '#estate';
import { craftHopProof, hopProofClaims } from '../../../libs/binding/test-support/hop-proofs.js';

/** A refusal as a callee answers it (H13), or a reply. */
export type HopOutcome = { readonly ok: true; readonly reply: unknown } | { readonly ok: false; readonly error: Record<string, unknown> };

/**
 * Sends one message with exactly the headers given, through a caller's ClientNats, and resolves
 * the reply or the error reply as it came (the test then asserts `code` and `type`).
 */
export async function sendHop(client: ClientProxy, subject: string, payload: unknown, headers: Record<string, string>): Promise<HopOutcome> {
  try {
    return { ok: true, reply: await requestWithTimeout(client, subject, natsRecord(payload, headers), 3_000) };
  } catch (error) {
    return { ok: false, error: typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : { transport: String(error) } };
  }
}

/** The two hop headers, the proof made by a real signer (a workload's certificate and key). */
export async function hopHeaders(
  signer: HopProofSigner,
  input: { audience: string; subject: string; token: string; payload: unknown; now?: number },
): Promise<Record<string, string>> {
  return { 'Hop-Token': input.token, 'Hop-Proof': await signer.sign(input) };
}

/**
 * A hop proof built by hand (libs/binding/test-support/hop-proofs.ts), for what a real signer
 * never writes: any header (e.g. `x5c` of one certificate while another key signs), issued now
 * for the signer's lifetime. ES256 (P-256 keys of the estate's PKI).
 */
export function craftProof(options: {
  readonly certificatePem: string;
  readonly signingKeyPem: string;
  readonly claims: { aud: string; sub: string; token: string; payload: unknown; iat?: number; exp?: number; jti?: string };
  readonly header?: Record<string, unknown>;
}): string {
  const iat = options.claims.iat ?? Math.floor(Date.now() / 1000);
  return craftHopProof({
    x5c: [new X509Certificate(options.certificatePem).raw],
    signingKeyPem: options.signingKeyPem,
    ...(options.header === undefined ? {} : { header: options.header }),
    claims: hopProofClaims({ ...options.claims, iat, exp: options.claims.exp ?? iat + HOP_PROOF_LIFETIME_S }),
  });
}
