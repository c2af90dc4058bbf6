import { describe, expect, it } from '@jest/globals';
import { EstateConfigError } from './estate-config-error.js';
import { httpUrlVariable, integerVariable, listVariable, oneOfVariable, optionalVariable, requiredVariable } from './env-variables.js';

// Every reader refuses with an EstateConfigError whose message starts with the variable's name,
// so an operator knows which line of the environment to fix.
function expectRefusal(read: () => unknown, message: string): void {
  expect(read).toThrow(EstateConfigError);
  expect(read).toThrow(new Error(message));
}

describe('optionalVariable', () => {
  it('returns the value trimmed', () => {
    expect(optionalVariable({ NAME: '  value \n' }, 'NAME')).toBe('value');
  });

  it('treats unset, empty and blank alike: undefined, so the default applies', () => {
    expect(optionalVariable({}, 'NAME')).toBeUndefined();
    expect(optionalVariable({ NAME: '' }, 'NAME')).toBeUndefined();
    expect(optionalVariable({ NAME: ' \t ' }, 'NAME')).toBeUndefined();
  });
});

describe('requiredVariable', () => {
  it('returns the value trimmed', () => {
    expect(requiredVariable({ NAME: ' value ' }, 'NAME')).toBe('value');
  });

  it('refuses an unset or blank variable, with an example when given', () => {
    expectRefusal(() => requiredVariable({}, 'NAME'), 'NAME: is required');
    expectRefusal(() => requiredVariable({ NAME: '  ' }, 'NAME'), 'NAME: is required');
    expectRefusal(() => requiredVariable({}, 'NATS_URL', 'tls://127.0.0.1:4443'), 'NATS_URL: is required, e.g. tls://127.0.0.1:4443');
  });
});

describe('integerVariable', () => {
  it('returns the fallback when unset, and the value within the inclusive range', () => {
    expect(integerVariable({}, 'PORT', 3000, 0, 65535)).toBe(3000);
    expect(integerVariable({ PORT: ' 0 ' }, 'PORT', 3000, 0, 65535)).toBe(0);
    expect(integerVariable({ PORT: '65535' }, 'PORT', 3000, 0, 65535)).toBe(65535);
  });

  it('does not check the fallback against the range (a caller may derive it)', () => {
    expect(integerVariable({}, 'N', 7, 10, 20)).toBe(7);
  });

  it.each(['65536', '-1', '+5', '1e3', '2.5', '0x10', '10 000', 'lots'])('refuses %j, naming the range and the value', (raw) => {
    expectRefusal(() => integerVariable({ PORT: raw }, 'PORT', 3000, 0, 65535), `PORT: must be an integer from 0 to 65535, got "${raw}"`);
  });
});

describe('oneOfVariable', () => {
  it('returns the first value when unset, and any listed value', () => {
    expect(oneOfVariable({}, 'MODE', ['off', 'required'])).toBe('off');
    expect(oneOfVariable({ MODE: ' required ' }, 'MODE', ['off', 'required'])).toBe('required');
  });

  it('refuses a value that is not listed, case included, listing the choices', () => {
    expectRefusal(() => oneOfVariable({ MODE: 'sometimes' }, 'MODE', ['off', 'required']), 'MODE: must be one of off, required');
    expectRefusal(() => oneOfVariable({ MODE: 'Off' }, 'MODE', ['off', 'required']), 'MODE: must be one of off, required');
  });
});

describe('listVariable', () => {
  it('splits on commas, trims items and drops empty ones; unset is an empty list', () => {
    expect(listVariable({ LIST: ' a , b,,c, ' }, 'LIST')).toEqual(['a', 'b', 'c']);
    expect(listVariable({}, 'LIST')).toEqual([]);
    expect(listVariable({ LIST: ',' }, 'LIST')).toEqual([]);
  });

  it('reads the fallback when unset, and splits on the separator given', () => {
    expect(listVariable({}, 'SCOPES', { fallback: 'a:read a:write', separator: /\s+/ })).toEqual(['a:read', 'a:write']);
    expect(listVariable({ SCOPES: 'x   y\tz' }, 'SCOPES', { fallback: 'a', separator: /\s+/ })).toEqual(['x', 'y', 'z']);
  });

  it('with nonEmpty, refuses a value that lists nothing', () => {
    expect(listVariable({}, 'LIST', { fallback: 'a', nonEmpty: true })).toEqual(['a']);
    expectRefusal(() => listVariable({ LIST: ', ,' }, 'LIST', { fallback: 'a', nonEmpty: true }), 'LIST: must list at least one value');
  });
});

describe('httpUrlVariable', () => {
  it('refuses what is not an absolute http(s) URL, in every form', () => {
    for (const form of ['origin', 'plain', 'with-query', 'any'] as const) {
      expectRefusal(() => httpUrlVariable('URL', '/relative', { form }), 'URL: is not an absolute URL: "/relative"');
      expectRefusal(() => httpUrlVariable('URL', 'ftp://host', { form }), 'URL: must be an http(s) URL');
    }
  });

  it('plain (the default): returns the URL exactly as written, path included', () => {
    expect(httpUrlVariable('URL', 'https://api.example.test/v1')).toBe('https://api.example.test/v1');
    expect(httpUrlVariable('URL', 'http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000');
  });

  it.each(['http://user:pw@host/', 'http://user@host/', 'http://host/?x=1', 'http://host/#x'])('plain: refuses credentials, a query or a fragment (%s)', (raw) => {
    expectRefusal(() => httpUrlVariable('URL', raw), 'URL: must not carry credentials, a query or a fragment');
  });

  it('origin: returns the serialized origin, and refuses a path, with the reason given', () => {
    expect(httpUrlVariable('URL', 'https://API.example.test:443/', { form: 'origin' })).toBe('https://api.example.test');
    expect(httpUrlVariable('URL', 'http://localhost:3000', { form: 'origin' })).toBe('http://localhost:3000');
    expectRefusal(() => httpUrlVariable('URL', 'http://localhost:3000/api', { form: 'origin' }), 'URL: must be an origin (scheme, host, port; no path)');
    expectRefusal(
      () => httpUrlVariable('URL', 'http://localhost:3000/api', { form: 'origin', originReason: 'use PREFIX' }),
      'URL: must be an origin (scheme, host, port; no path); use PREFIX',
    );
    expectRefusal(() => httpUrlVariable('URL', 'http://localhost:3000/?x=1', { form: 'origin' }), 'URL: must not carry credentials, a query or a fragment');
  });

  it('with-query: allows a query, refuses credentials or a fragment', () => {
    expect(httpUrlVariable('URL', 'http://127.0.0.1/callback?app=1', { form: 'with-query' })).toBe('http://127.0.0.1/callback?app=1');
    expectRefusal(() => httpUrlVariable('URL', 'http://127.0.0.1/callback#x', { form: 'with-query' }), 'URL: must not carry credentials or a fragment');
    expectRefusal(() => httpUrlVariable('URL', 'http://u:p@127.0.0.1/callback', { form: 'with-query' }), 'URL: must not carry credentials or a fragment');
  });

  it('any: accepts every http(s) URL as written', () => {
    expect(httpUrlVariable('URL', 'https://u:p@issuer.example/t?x=1#y', { form: 'any' })).toBe('https://u:p@issuer.example/t?x=1#y');
  });
});
