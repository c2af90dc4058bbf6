import { describe, expect, it } from '@jest/globals';
import { parseInvocation, UsageError } from './cli-arguments.js';

describe('parseInvocation', () => {
  it('reads MOBILE_* variables, with flags taking precedence', () => {
    const { options } = parseInvocation(['status', '--issuer', 'http://127.0.0.1:4100'], {
      MOBILE_ISSUER: 'http://localhost:4000',
      MOBILE_STATE_DIR: '/tmp/m',
      MOBILE_ALLOW_HTTP: '1',
    });
    expect(options).toEqual({ issuer: 'http://127.0.0.1:4100', stateDir: '/tmp/m', allowHttp: true });
  });

  it('takes a scripted login password from the environment', () => {
    const { command } = parseInvocation(['login', '--username', 'alice'], { MOBILE_PASSWORD: 'wonderland' });
    expect(command).toEqual({ name: 'login', credentials: { username: 'alice', password: 'wonderland' } });
    expect(parseInvocation(['login'], {}).command).toEqual({ name: 'login', credentials: undefined });
  });

  it('builds a call with method, body and headers', () => {
    const { command } = parseInvocation(['call', 'http://localhost:3000/orders', '--data', '{"sku":"a"}', '--header', 'Content-Type: application/json'], {});
    expect(command).toEqual({
      name: 'call',
      url: 'http://localhost:3000/orders',
      method: 'POST',
      body: '{"sku":"a"}',
      headers: [['Content-Type', 'application/json']],
    });
  });

  it.each([[['--help']], [['-h']], [['help']], [['call', '--help']], [['status', '-h']], [['-h', 'fly']]])('reads %j as a request for help', (argv) => {
    expect(parseInvocation(argv, {}).command).toEqual({ name: 'help' });
  });

  it.each([[[]], [['fly']], [['call']], [['login', '--username', 'alice']], [['call', 'http://x', '--header', 'nocolon']]])(
    'rejects %j as a usage error',
    (argv) => {
      expect(() => parseInvocation(argv, {})).toThrow(UsageError);
    },
  );
});
