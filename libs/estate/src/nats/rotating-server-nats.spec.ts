import { describe, expect, it, jest } from '@jest/globals';
import { ServerNats } from '@nestjs/microservices';
import { RotatingServerNats } from './rotating-server-nats.js';

describe('RotatingServerNats: a message\'s route', () => {
  const server = new RotatingServerNats({}, 1_000);
  const nest = new ServerNats({});

  it('is the route Nest finds, for plain subjects and for every pattern JSON can read', () => {
    const patterns = [
      'orders.create', 'inventory.reserve', 'sts.exchange', '_INBOX.orders.x', 'nullable', 'trueish', 'False',
      'true', 'false', 'null', 'null ', '123', '-1', '{"cmd":"sum"}', ' {"cmd":"sum"}', '["a"]', '"quoted"', '*.x', '>', '',
    ];
    for (const pattern of patterns) expect([pattern, server['getRouteFromPattern'](pattern)]).toEqual([pattern, nest['getRouteFromPattern'](pattern)]);
  });

  it('of a plain subject is found without JSON.parse (its SyntaxError captured a stack per message)', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(server['getRouteFromPattern']('orders.create')).toBe('orders.create');
      expect(parse).not.toHaveBeenCalled();
      expect(server['getRouteFromPattern']('{"cmd":"sum"}')).toBe(nest['getRouteFromPattern']('{"cmd":"sum"}'));
      expect(parse).toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
