import { ClientProxyFactory } from '@nestjs/microservices';
import { createHopProofSigner } from '#binding';
import { loadEstateConfig, natsClientOptions, natsRecord, requestWithTimeout, spiffeIdOf } from '#estate';

/** What orders answered a forwarded token: a reply (the attack worked) or its refusal, as sent. */
export type ForwardOutcome = { readonly accepted: true } | { readonly accepted: false; readonly refusal: Readonly<Record<string, unknown>> };

export interface ForwardTarget {
  readonly natsUrl: string;
  readonly certsDir: string;
}

const CONNECT_TIMEOUT_MS = 3_000; // milliseconds
const REPLY_TIMEOUT_MS = 3_000; // milliseconds

/**
 * Attack 2 of the walkthrough: a workload that skips the exchange and forwards the client's
 * DPoP-bound token inward as it is. It plays the edge with everything the edge really holds (its
 * certificate and key, so NATS admits it and its hop proof is genuine) and calls orders.create
 * with the client's token as Hop-Token. Orders must refuse: the token is not the STS's, and its
 * confirmation is `cnf.jkt`, not the `x5t#S256` every internal hop requires (H8, H10).
 */
export async function forwardClientTokenInward(target: ForwardTarget, clientToken: string): Promise<ForwardOutcome> {
  const edge = loadEstateConfig({ NATS_URL: target.natsUrl, CERTS_DIR: target.certsDir, NATS_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) }, 'edge');
  const client = ClientProxyFactory.create(natsClientOptions(edge));
  try {
    await client.connect();
    const signer = createHopProofSigner({ privateKey: edge.tls.key, certificateChainPem: edge.tls.cert });
    const payload = { sku: 'tea', quantity: 1 };
    const proof = await signer.sign({ audience: spiffeIdOf('orders'), subject: 'orders.create', token: clientToken, payload });
    const headers = { 'Hop-Token': clientToken, 'Hop-Proof': proof };
    try {
      await requestWithTimeout(client, 'orders.create', natsRecord(payload, headers), REPLY_TIMEOUT_MS);
      return { accepted: true };
    } catch (error) {
      // A refusal comes back as the callee's error reply ({ code, type }, H13); anything else is
      // the transport failing, which proves nothing either way.
      if (typeof error === 'object' && error !== null && 'code' in error && 'type' in error) {
        return { accepted: false, refusal: error as Record<string, unknown> };
      }
      throw error;
    }
  } finally {
    await client.close();
  }
}
