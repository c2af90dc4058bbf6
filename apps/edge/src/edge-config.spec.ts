import { describe, expect, it } from '@jest/globals';
import { EstateConfigError } from '#estate';
import { EdgeConfigError, loadEdgeConfig } from './edge-config.js';

const BASE = { AUTH_ISSUER: 'http://127.0.0.1:4000' };

describe('loadEdgeConfig: adapter and replay store', () => {
  it('defaults to Fastify and the in-memory replay store, without reading NATS settings', () => {
    expect(loadEdgeConfig(BASE)).toMatchObject({ httpAdapter: 'fastify', replayStore: 'memory', nats: undefined });
    expect(loadEdgeConfig({ ...BASE, EDGE_HTTP_ADAPTER: 'express' }).httpAdapter).toBe('express');
  });

  it('E17: an unknown adapter or replay store stops the edge naming the variable', () => {
    expect(() => loadEdgeConfig({ ...BASE, EDGE_HTTP_ADAPTER: 'koa' })).toThrow(new EdgeConfigError('EDGE_HTTP_ADAPTER', 'must be one of fastify, express'));
    expect(() => loadEdgeConfig({ ...BASE, REPLAY_STORE: 'redis' })).toThrow(new EdgeConfigError('REPLAY_STORE', 'must be one of memory, jetstream'));
  });

  it('E17: REPLAY_STORE=jetstream needs the NATS settings of libs/estate', () => {
    expect(() => loadEdgeConfig({ ...BASE, REPLAY_STORE: 'jetstream' })).toThrow(EstateConfigError);
    expect(() => loadEdgeConfig({ ...BASE, REPLAY_STORE: 'jetstream' })).toThrow(/NATS_URL/);
  });
});
