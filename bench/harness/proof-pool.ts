import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { base64urlJson, signCompact } from '../../libs/binding/test-support/compact-jws.js';
import { accessTokenHash } from '../../libs/binding/test-support/dpop-proofs.js';
import type { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';

/**
 * Requests made before a run, in the load generator's process: each valid request carries a DPoP
 * proof (RFC 9449 §4.2) with its own `jti`, so no proof is ever sent twice, signed with node:crypto
 * (ES256, IEEE P1363 signatures) because it signs several times faster than WebCrypto and the pool
 * must be ready in seconds. Every proof is fresh (`iat` = the moment the pool is made) and the
 * runs last far less than the edge's 60 s window.
 */
export interface RequestHeaders {
  readonly authorization: string;
  readonly dpop: string;
}

export interface BenchClient {
  readonly privateKey: KeyObject;
  /** The protected header segment `{typ, alg, jwk}`, the same in every proof of this client. */
  readonly headerSegment: string;
  readonly jkt: string;
  /** An access token bound to this key (`cnf.jkt`) and its `ath`. */
  readonly token: string;
  readonly ath: string;
}

function newKey(): { privateKey: KeyObject; headerSegment: string; jkt: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { crv, x, y } = publicKey.export({ format: 'jwk' }) as { crv: string; x: string; y: string };
  const jwk = { kty: 'EC', crv, x, y };
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  const jkt = createHash('sha256').update(JSON.stringify({ crv, kty: 'EC', x, y })).digest('base64url');
  return { privateKey, headerSegment: base64urlJson({ typ: 'dpop+jwt', alg: 'ES256', jwk }), jkt };
}

/**
 * `count` clients, each with a key and a bound token. Several, because the edge's in-memory
 * replay store allows 10 000 live claims per sender key (E17 quota): a run spreads its proofs.
 */
export async function createBenchClients(issuer: TestIssuer, count: number): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  for (let i = 0; i < count; i++) {
    const key = newKey();
    const token = await issuer.mint({ cnf: { jkt: key.jkt }, expiresIn: 3_600 });
    clients.push({ ...key, token, ath: accessTokenHash(token) });
  }
  return clients;
}

/** `count` valid requests for `GET htu`, round-robin over the clients, each with a unique jti. */
export function validRequests(clients: readonly BenchClient[], htu: string, count: number): RequestHeaders[] {
  const run = randomBytes(6).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const requests: RequestHeaders[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const client = clients[i % clients.length] as BenchClient;
    const proof = signCompact(client.headerSegment, base64urlJson({ jti: `${run}.${i}`, htm: 'GET', htu, iat, ath: client.ath }), client.privateKey);
    requests[i] = { authorization: `DPoP ${client.token}`, dpop: proof };
  }
  return requests;
}

export type InvalidKind = 'tampered_signature' | 'foreign_key' | 'malformed_header';

/**
 * Invalid requests as an attacker would send them, in equal parts:
 * - `tampered_signature`: a victim's well-formed proof with one signature character changed
 *   (costs the edge a signature verification, then fails: E11);
 * - `foreign_key`: a proof validly signed by one of `attackerKeys` fresh keys (more than the
 *   edge's key cache holds, so each costs a key import and thumbprint, and churns that cache)
 *   carrying the victim's token (fails on cnf.jkt after the token check: E20);
 * - `malformed_header`: a header without `alg` or `jwk` (fails on syntax: E8).
 */
export function invalidRequests(victims: readonly BenchClient[], htu: string, count: number, attackerKeys: number): RequestHeaders[] {
  const attackers = Array.from({ length: attackerKeys }, newKey);
  const iat = Math.floor(Date.now() / 1000);
  const malformedHeader = base64urlJson({ typ: 'dpop+jwt', kid: 'k1' });
  const requests: RequestHeaders[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const victim = victims[i % victims.length] as BenchClient;
    const claims = { jti: `bad.${i}.${randomBytes(4).toString('hex')}`, htm: 'GET', htu, iat, ath: victim.ath };
    let proof: string;
    switch (i % 3) {
      case 0: {
        const valid = signCompact(victim.headerSegment, base64urlJson(claims), victim.privateKey);
        const at = valid.length - 20;
        proof = `${valid.slice(0, at)}${valid[at] === 'A' ? 'B' : 'A'}${valid.slice(at + 1)}`;
        break;
      }
      case 1: {
        const attacker = attackers[i % attackers.length]!;
        proof = signCompact(attacker.headerSegment, base64urlJson(claims), attacker.privateKey);
        break;
      }
      default:
        proof = `${malformedHeader}.${base64urlJson(claims)}.${randomBytes(64).toString('base64url')}`;
    }
    requests[i] = { authorization: `DPoP ${victim.token}`, dpop: proof };
  }
  return requests;
}
