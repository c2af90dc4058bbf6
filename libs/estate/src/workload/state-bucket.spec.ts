import { describe, expect, it } from '@jest/globals';
import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { isStateBucketFull, isStateBucketUnavailable, stateBucketUnavailableException } from './state-bucket.js';

// SECURITY.md S2: a state bucket that does not answer (its raft group between leaders) is a prompt
// 503 the client may retry; a refusal (the quota) stays what it is, and anything else is not hidden as one.
describe('state bucket failures', () => {
  const quota = new JetStreamApiError({ code: 400, err_code: 10077, description: 'maximum bytes exceeded' });

  it('S2: no answer within the timeout, no JetStream responder, a closed or draining connection are unavailability', () => {
    const noResponder = Object.assign(new Error('jetstream is not enabled'), { name: 'JetStreamNotEnabled' });
    const temporarily = new JetStreamApiError({ code: 503, err_code: 10008, description: 'JetStream system temporarily unavailable' });
    const status = (code: number, message: string) => Object.assign(new Error(message), { name: 'JetStreamStatusError', code });
    const directGetNoResponders = status(503, 'no responders');
    for (const error of [new errors.TimeoutError(), new errors.ClosedConnectionError(), new errors.DrainingConnectionError(), noResponder, temporarily, directGetNoResponders]) {
      expect({ error: error.name, unavailable: isStateBucketUnavailable(error) }).toEqual({ error: error.name, unavailable: true });
    }
  });

  it('S2: the quota refusal, a permission violation and a plain error are not unavailability', () => {
    expect(isStateBucketUnavailable(quota)).toBe(false);
    expect(isStateBucketFull(quota)).toBe(true);
    expect(isStateBucketUnavailable(new errors.PermissionViolationError('Permissions Violation for Publish', 'publish', '$KV.orders-state.x'))).toBe(false);
    expect(isStateBucketUnavailable(new Error('boom'))).toBe(false);
    expect(isStateBucketUnavailable(new JetStreamApiError({ code: 400, err_code: 10071, description: 'wrong last sequence: 3' }))).toBe(false);
    expect(isStateBucketUnavailable(Object.assign(new Error('message not found'), { name: 'JetStreamStatusError', code: 404 }))).toBe(false);
    expect(isStateBucketUnavailable(undefined)).toBe(false);
  });

  it('S2: the reply is a 503 temporarily_unavailable naming the bucket', () => {
    expect(stateBucketUnavailableException('orders').getError()).toEqual({ code: 'temporarily_unavailable', type: 'storage_unavailable', status: 503, message: 'orders-state did not answer' });
  });
});
