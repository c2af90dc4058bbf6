import { describe, expect, it } from '@jest/globals';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { FailureType } from '../errors/failure-type.js';
import { resolveHopProofChecks } from '../hop/hop-verifier-options.js';
import { INVALID_SPIFFE_IDS, VALID_SPIFFE_IDS } from './spiffe-id.fixture.js';
import { checkSpiffeId, checkTrustDomainConfig, MAX_SPIFFE_ID_LENGTH, spiffeIdOption, spiffeIdProblem } from './spiffe-id.js';

const hopOptions = (audience: unknown) => ({
  audience,
  certificates: { validate: () => { throw new Error('unused'); } },
  replay: { claim: async () => true },
}) as never;

describe('spiffeIdProblem: the one SPIFFE ID rule (issue 13: four copies disagreed)', () => {
  it.each(VALID_SPIFFE_IDS.map((id) => [id.length > 80 ? `${id.slice(0, 40)}… (${id.length} characters)` : id, id]))('H3: %s is a workload SPIFFE ID', (_name, id) => {
    expect(spiffeIdProblem(id)).toBeUndefined();
    expect(spiffeIdProblem(id, 'estate.local')).toBeUndefined();
    expect(checkSpiffeId(id, 'estate.local')).toBe(id);
  });

  it.each(INVALID_SPIFFE_IDS.map(([id, formerly]) => [id.length > 80 ? `${id.slice(0, 40)}… (${id.length} characters)` : id, formerly, id]))(
    'H3: %s is not (formerly accepted by: %s)',
    (_name, _formerly, id) => {
      expect(spiffeIdProblem(id)).toEqual(expect.any(String));
      expect(() => checkSpiffeId(id, 'estate.local')).toThrow(BindingError);
      expect(() => spiffeIdOption(id, 'test audience must be a SPIFFE ID')).toThrow(BindingConfigError);
    },
  );

  it('H3: the longest accepted ID is MAX_SPIFFE_ID_LENGTH characters', () => {
    expect(VALID_SPIFFE_IDS.some((id) => id.length === MAX_SPIFFE_ID_LENGTH)).toBe(true);
  });

  it('H3: with a trust domain, an ID of another trust domain is refused, with CertificateUsage at H3', () => {
    expect(spiffeIdProblem('spiffe://other.local/orders', 'estate.local')).toBe('is not in the trust domain estate.local');
    expect(spiffeIdProblem('spiffe://other.local/orders')).toBeUndefined();
    expect(() => checkSpiffeId('spiffe://other.local/orders', 'estate.local')).toThrow(expect.objectContaining({ type: FailureType.CertificateUsage }));
  });

  it('a refusal names what is wrong, never repeats the value beyond what the caller put in its name', () => {
    expect(() => spiffeIdOption('spiffe://estate.local/a//b', 'outbound call: audience must be a SPIFFE ID')).toThrow(
      /^outbound call: audience must be a SPIFFE ID: it has a path segment that is empty/,
    );
    expect(spiffeIdProblem(42)).toBe('is not a string');
    expect(spiffeIdProblem('spiffe://estate.local')).toBe('has no path naming a workload');
  });

  it('a configured trust domain follows the same trust domain grammar', () => {
    expect(checkTrustDomainConfig('estate.local')).toBe('estate.local');
    for (const bad of ['Estate.Local', 'estate.local:8443', '', 'a'.repeat(256), 42]) expect(() => checkTrustDomainConfig(bad)).toThrow(BindingConfigError);
  });
});

describe('the hop verifiers\' audience uses the one rule (its pattern accepted ports, user, query, dot segments...)', () => {
  it.each(VALID_SPIFFE_IDS.map((id) => [id.slice(0, 60), id]))('H5: audience %s is accepted', (_name, id) => {
    expect(resolveHopProofChecks(hopOptions(id), 'hop verifier').audience).toBe(id);
  });

  it.each(INVALID_SPIFFE_IDS.map(([id, formerly]) => [id.slice(0, 60), formerly, id]))('H5: audience %s is a configuration mistake (formerly accepted by: %s)', (_name, _formerly, id) => {
    expect(() => resolveHopProofChecks(hopOptions(id), 'hop verifier')).toThrow(/^hop verifier audience must be this service's SPIFFE ID: it /);
  });
});
