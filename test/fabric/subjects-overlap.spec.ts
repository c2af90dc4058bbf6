import { describe, expect, it } from '@jest/globals';
import { ESTATE_PERMISSIONS, subjectsOverlap } from '../../scripts/nats/permission-table.js';

// The call graph behind the responders' inbox grants (permission-table.ts answeredInboxes): a
// responder may answer into the inbox of exactly those that may publish to what it serves (T3).

describe('subjectsOverlap (NATS wildcards)', () => {
  it('T3: literal, * and > patterns that some subject matches both overlap', () => {
    expect(subjectsOverlap('orders.create', 'orders.create')).toBe(true);
    expect(subjectsOverlap('orders.*', 'orders.>')).toBe(true);
    expect(subjectsOverlap('*.create', 'orders.create')).toBe(true);
    expect(subjectsOverlap('>', 'sts.exchange')).toBe(true);
    expect(subjectsOverlap('a.*.c', 'a.b.>')).toBe(true);
  });

  it('T3: patterns no subject matches both do not', () => {
    expect(subjectsOverlap('sts.jwks', 'orders.>')).toBe(false);
    expect(subjectsOverlap('orders', 'orders.>')).toBe(false); // > needs one token more
    expect(subjectsOverlap('orders.create', 'orders.create.x')).toBe(false);
    expect(subjectsOverlap('orders.*', 'orders.create.x')).toBe(false);
  });
});

describe('responders answer only their callers (answeredInboxes)', () => {
  const inboxesOf = (identity: string): string[] =>
    ESTATE_PERMISSIONS.find((entry) => entry.identity === identity)!.publish.filter((subject) => subject.startsWith('_INBOX.'));

  it('T3: sts answers the edge, orders and inventory (sts.jwks); orders answers the edge; inventory answers orders; the edge and admin answer nobody', () => {
    expect(inboxesOf('sts')).toEqual(['_INBOX.edge.>', '_INBOX.orders.>', '_INBOX.inventory.>']);
    expect(inboxesOf('orders')).toEqual(['_INBOX.edge.>']);
    expect(inboxesOf('inventory')).toEqual(['_INBOX.orders.>']);
    expect(inboxesOf('edge')).toEqual([]);
    expect(inboxesOf('admin')).toEqual([]);
  });
});
