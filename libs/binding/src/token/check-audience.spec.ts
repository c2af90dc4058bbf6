import { describe, expect, it } from '@jest/globals';
import { FailureType } from '../errors/failure-type.js';
import { checkAudience } from './check-audience.js';

const EDGE = 'http://localhost:3000';
const ORDERS = 'spiffe://estate.local/orders';
const INVENTORY = 'spiffe://estate.local/inventory';
const wrongAudience = { type: FailureType.TokenAudience, code: 'invalid_token', status: 401 };

describe('checkAudience (E18, H9)', () => {
  it('E18: aud as one string equal to the edge audience passes', () => {
    expect(() => checkAudience({ aud: EDGE }, EDGE)).not.toThrow();
  });

  it('E18: aud as an array that includes the edge audience passes', () => {
    expect(() => checkAudience({ aud: ['https://api.example', EDGE] }, EDGE)).not.toThrow();
  });

  it('E18: aud compared as exact strings: a trailing slash, case or another port fails', () => {
    for (const aud of [`${EDGE}/`, 'HTTP://LOCALHOST:3000', 'http://localhost:3001', [`${EDGE}/`]]) {
      expect(() => checkAudience({ aud }, EDGE)).toThrow(expect.objectContaining(wrongAudience));
    }
  });

  it('E18: a token without aud, or with an empty array, fails TokenAudience', () => {
    expect(() => checkAudience({}, EDGE)).toThrow(expect.objectContaining(wrongAudience));
    expect(() => checkAudience({ aud: [] }, EDGE)).toThrow(expect.objectContaining(wrongAudience));
  });

  it('E18: aud of the wrong type fails TokenMalformed', () => {
    for (const aud of [42, null, { EDGE }, [EDGE, 42]]) {
      expect(() => checkAudience({ aud }, EDGE)).toThrow(expect.objectContaining({ type: FailureType.TokenMalformed, code: 'invalid_token' }));
    }
  });

  it('H9: a token meant for inventory fails at orders; the one meant for orders passes', () => {
    expect(() => checkAudience({ aud: INVENTORY }, ORDERS)).toThrow(expect.objectContaining(wrongAudience));
    expect(() => checkAudience({ aud: [INVENTORY] }, ORDERS)).toThrow(expect.objectContaining(wrongAudience));
    expect(() => checkAudience({ aud: ORDERS }, ORDERS)).not.toThrow();
  });

  it('H9: a client token for the edge presented to an internal service fails TokenAudience', () => {
    expect(() => checkAudience({ aud: EDGE }, ORDERS)).toThrow(expect.objectContaining(wrongAudience));
  });
});
