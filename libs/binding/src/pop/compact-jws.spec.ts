import { describe, expect, it } from '@jest/globals';
import { expectBindingError } from '../../test-support/expect-binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { DPOP_PROFILE } from '../dpop/parse-proof-header.js';
import { RFC9449_RESOURCE_REQUEST } from '../dpop/rfc-examples.fixture.js';
import { HOP_PROFILE } from '../hop/parse-hop-proof.js';
import { splitCompactJws } from './compact-jws.js';

describe('splitCompactJws', () => {
  it('E6: splits the RFC 9449 §7.1 example proof into three segments', () => {
    const segments = splitCompactJws(RFC9449_RESOURCE_REQUEST.proof, DPOP_PROFILE);
    expect(RFC9449_RESOURCE_REQUEST.proof).toBe(`${segments.header}.${segments.payload}.${segments.signature}`);
  });

  it('E6: refuses anything but three non-empty base64url segments; a JWE (five) is named as such', () => {
    const cases: Array<[string, string]> = [
      ['a.b', 'not a compact JWS'],
      ['a.b.c.d', 'not a compact JWS'],
      ['a.b.c.d.e', 'JWE'],
      ['a..c', 'base64url'],
      ['a.b.', 'base64url'],
      ['a.b+.c', 'base64url'],
      ['a.b=.c', 'base64url'],
    ];
    for (const [proof, description] of cases) {
      const error = expectBindingError(() => splitCompactJws(proof, DPOP_PROFILE), FailureType.MalformedProof, 'invalid_dpop_proof');
      expect(error.message).toContain(description);
    }
  });

  it('E6, E11: the RFC 9449 example with its signature spelled otherwise (non-zero pad bits) is malformed', () => {
    const proof = RFC9449_RESOURCE_REQUEST.proof;
    const respelled = `${proof.slice(0, -1)}${proof.endsWith('A') ? 'B' : String.fromCharCode(proof.charCodeAt(proof.length - 1) ^ 1)}`;
    expect(Buffer.from(respelled.split('.')[2]!, 'base64url')).toEqual(Buffer.from(proof.split('.')[2]!, 'base64url'));
    const error = expectBindingError(() => splitCompactJws(respelled, DPOP_PROFILE), FailureType.MalformedProof, 'invalid_dpop_proof');
    expect(error.message).toContain('canonical');
  });
});

describe('splitCompactJws: one framing for every profile', () => {
  it('E6, H2: a hop proof is framed by the same rules, its failures named as a hop proof', () => {
    for (const proof of ['a.b', 'a.b.c.d.e', 'a..c']) {
      const error = expectBindingError(() => splitCompactJws(proof, HOP_PROFILE), FailureType.MalformedProof, 'invalid_dpop_proof');
      expect(error.message).toMatch(/^hop proof /);
    }
    expect(splitCompactJws(RFC9449_RESOURCE_REQUEST.proof, HOP_PROFILE)).toEqual(splitCompactJws(RFC9449_RESOURCE_REQUEST.proof, DPOP_PROFILE));
  });
});
