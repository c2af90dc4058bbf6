import { describe, expect, it } from '@jest/globals';
import { EstateConfigError } from '#estate';
import { DEFAULT_REPLAY_MAX_ENTRIES, DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE } from '../../../libs/binding/src/replay/memory-replay-store.js';
import { loadEdgeConfig, MAX_EDGE_REPLAY_ENTRIES } from './edge-config.js';

const BASE = { AUTH_ISSUER: 'http://127.0.0.1:4000' };

describe('loadEdgeConfig: adapter and replay store', () => {
  it('defaults to Fastify and the in-memory replay store, without reading NATS settings', () => {
    expect(loadEdgeConfig(BASE)).toMatchObject({ httpAdapter: 'fastify', replayStore: 'memory', nats: undefined });
    expect(loadEdgeConfig({ ...BASE, EDGE_HTTP_ADAPTER: 'express' }).httpAdapter).toBe('express');
  });

  it('E17: an unknown adapter or replay store stops the edge naming the variable', () => {
    expect(() => loadEdgeConfig({ ...BASE, EDGE_HTTP_ADAPTER: 'koa' })).toThrow(new EstateConfigError('EDGE_HTTP_ADAPTER', 'must be one of fastify, express'));
    expect(() => loadEdgeConfig({ ...BASE, REPLAY_STORE: 'redis' })).toThrow(new EstateConfigError('REPLAY_STORE', 'must be one of memory, jetstream'));
  });

  it('E17: REPLAY_STORE=jetstream needs the NATS settings of libs/estate', () => {
    expect(() => loadEdgeConfig({ ...BASE, REPLAY_STORE: 'jetstream' })).toThrow(EstateConfigError);
    expect(() => loadEdgeConfig({ ...BASE, REPLAY_STORE: 'jetstream' })).toThrow(/NATS_URL/);
  });
});

describe('loadEdgeConfig: in-memory replay store limits', () => {
  it('E17: without EDGE_REPLAY_MAX_ENTRIES / EDGE_REPLAY_MAX_PER_KEY the store keeps its documented defaults', () => {
    expect(loadEdgeConfig(BASE).replayMemory).toEqual({ maxEntries: DEFAULT_REPLAY_MAX_ENTRIES, maxEntriesPerKey: DEFAULT_REPLAY_MAX_ENTRIES_PER_SCOPE });
  });

  it('E17: both limits are configurable, the per-key cap up to the total', () => {
    expect(loadEdgeConfig({ ...BASE, EDGE_REPLAY_MAX_ENTRIES: '2000000', EDGE_REPLAY_MAX_PER_KEY: '500000' }).replayMemory).toEqual({
      maxEntries: 2_000_000,
      maxEntriesPerKey: 500_000,
    });
    expect(loadEdgeConfig({ ...BASE, EDGE_REPLAY_MAX_ENTRIES: '700', EDGE_REPLAY_MAX_PER_KEY: '700' }).replayMemory).toEqual({ maxEntries: 700, maxEntriesPerKey: 700 });
    // A total below the default per-key cap lowers that cap with it.
    expect(loadEdgeConfig({ ...BASE, EDGE_REPLAY_MAX_ENTRIES: '5000' }).replayMemory).toEqual({ maxEntries: 5_000, maxEntriesPerKey: 5_000 });
  });

  it('E17: a per-key cap above the total, zero, a non-integer or a total past the memory bound stops the edge naming the variable', () => {
    expect(() => loadEdgeConfig({ ...BASE, EDGE_REPLAY_MAX_ENTRIES: '10', EDGE_REPLAY_MAX_PER_KEY: '11' })).toThrow(
      new EstateConfigError('EDGE_REPLAY_MAX_PER_KEY', 'must be an integer from 1 to 10, got "11"'),
    );
    expect(() => loadEdgeConfig({ ...BASE, EDGE_REPLAY_MAX_ENTRIES: '0' })).toThrow(/^EDGE_REPLAY_MAX_ENTRIES: must be an integer from 1 to 10000000/);
    expect(() => loadEdgeConfig({ ...BASE, EDGE_REPLAY_MAX_ENTRIES: String(MAX_EDGE_REPLAY_ENTRIES + 1) })).toThrow(/^EDGE_REPLAY_MAX_ENTRIES: /);
    for (const value of ['lots', '1e6', '-5', '2.5', '100 000']) {
      expect(() => loadEdgeConfig({ ...BASE, EDGE_REPLAY_MAX_PER_KEY: value })).toThrow(/^EDGE_REPLAY_MAX_PER_KEY: must be an integer/);
    }
  });
});
