import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { EstateConfigError } from './estate-config-error.js';
import { parseEnvironment, refuseVariable, variable } from './env-schema.js';

const schema = z
  .object({
    PORT: variable.integer(3000, 0, 65535),
    MODE: variable.oneOf(['off', 'required']),
    SECRET: variable.optional(),
    PREFIX: variable.matching(/^\/[a-z]+$/, 'must look like /api'),
    SCOPE: variable.scopes('a b', { nonEmpty: true }),
    REDIRECTS: variable.httpUrlList({ fallback: 'http://127.0.0.1/cb', nonEmpty: true }, { form: 'with-query' }),
  })
  .superRefine((vars, ctx) => {
    if (vars.MODE === 'required' && vars.SECRET === undefined) refuseVariable(ctx, 'SECRET', 'is required when MODE=required');
  });

describe('parseEnvironment', () => {
  it('gives every default on an empty environment, blank counting as unset', () => {
    const defaults = { PORT: 3000, MODE: 'off', SECRET: undefined, PREFIX: undefined, SCOPE: ['a', 'b'], REDIRECTS: ['http://127.0.0.1/cb'] };
    expect(parseEnvironment(schema, {})).toEqual(defaults);
    expect(parseEnvironment(schema, { PORT: ' ', MODE: '', SECRET: '\t', PREFIX: '', SCOPE: '', REDIRECTS: ' ' })).toEqual(defaults);
  });

  it('ignores variables the schema does not name', () => {
    expect(parseEnvironment(schema, { HOME: '/root', PORT: '80' }).PORT).toBe(80);
  });

  it('refuses with an EstateConfigError naming the first bad variable in the schema\'s order', () => {
    const read = () => parseEnvironment(schema, { PORT: 'lots', MODE: 'sometimes' });
    expect(read).toThrow(EstateConfigError);
    expect(read).toThrow(new Error('PORT: must be an integer from 0 to 65535, got "lots"'));
    expect(() => parseEnvironment(schema, { MODE: 'sometimes' })).toThrow(new Error('MODE: must be one of off, required'));
  });

  it('a rule over two variables names the one to fix', () => {
    expect(() => parseEnvironment(schema, { MODE: 'required' })).toThrow(new EstateConfigError('SECRET', 'is required when MODE=required'));
    expect(parseEnvironment(schema, { MODE: 'required', SECRET: 's' }).SECRET).toBe('s');
  });

  it('matching, scopes and URL lists refuse what their rule does not allow', () => {
    expect(() => parseEnvironment(schema, { PREFIX: '/API/' })).toThrow(new Error('PREFIX: must look like /api'));
    expect(() => parseEnvironment(schema, { SCOPE: 'a "b"' })).toThrow(new Error('SCOPE: holds a character RFC 6749 §3.3 does not allow in a scope'));
    expect(() => parseEnvironment(schema, { REDIRECTS: 'http://127.0.0.1/cb,ftp://x' })).toThrow(new Error('REDIRECTS: must be an http(s) URL'));
    expect(() => parseEnvironment(schema, { REDIRECTS: ',' })).toThrow(new Error('REDIRECTS: must list at least one value'));
    expect(parseEnvironment(schema, { SCOPE: ' x  y ', REDIRECTS: 'http://[::1]/cb?x=1' })).toMatchObject({ SCOPE: ['x', 'y'], REDIRECTS: ['http://[::1]/cb?x=1'] });
  });
});
