import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { payloadHash } from './payload-hash.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

describe('payloadHash (pdh)', () => {
  it('H7: RFC 8785 §3.2.2 example: hashes the canonical form of the parsed JSON', () => {
    const received = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    const canonical = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(payloadHash(received)).toBe(sha256(canonical));
  });

  it('H7: RFC 8785 §3.2.3: members sorted by UTF-16 code units, so the sender key order does not matter', () => {
    const text = String.raw`{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}`;
    const canonical =
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    expect(payloadHash(JSON.parse(text))).toBe(sha256(canonical));
    expect(payloadHash({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(payloadHash({ a: { c: 'x', d: [1, 2] }, b: 1 }));
  });

  it('H7: a different payload has a different hash', () => {
    expect(payloadHash({ orderId: 'A-1', quantity: 1 })).not.toBe(payloadHash({ orderId: 'A-1', quantity: 10 }));
    expect(payloadHash([1, 2])).not.toBe(payloadHash([2, 1]));
  });

  it('H7: no payload (undefined) hashes as the canonical JSON null, what the receiver sees', () => {
    expect(payloadHash(undefined)).toBe(sha256('null'));
    expect(payloadHash(undefined)).toBe(payloadHash(null));
    expect(payloadHash(undefined)).not.toBe(payloadHash({}));
  });

  it('H7: the sender value and its JSON round trip hash the same (dropped undefined members, Dates)', () => {
    const sent = { at: new Date(0), note: undefined, list: [undefined, 1] };
    expect(payloadHash(sent)).toBe(payloadHash(JSON.parse(JSON.stringify(sent))));
  });

  it('H7: a value JSON cannot carry is a TypeError, not a hash', () => {
    expect(() => payloadHash(Number.NaN)).toThrow(TypeError);
    expect(() => payloadHash({ big: 1n })).toThrow(TypeError);
    expect(() => payloadHash(() => 1)).toThrow(TypeError);
  });
});
