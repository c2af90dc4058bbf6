import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { EstateSubjects, loadEstateConfig, natsConnectionOptions, queueGroupOf, type EstateIdentity } from '#estate';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// Regression (found by the estate walkthrough's live renewal): nats-server registers every user
// again on a configuration reload, and with it forgets which replies each client may send
// (`allow_responses`). The estate reloads the broker on every renewal, pin change and bundle change
// (SECURITY.md L1, L4, L5), so a request received before a reload and answered after it was
// refused ("Permissions Violation for Publish to _INBOX.edge...") and its caller timed out. The
// permission table grants each responder its callers' inbox prefixes (answeredInboxes), so the
// reply arrives; and still only there (T3).

const REPLY_TIMEOUT_MS = 5_000; // milliseconds: far more than a reply takes; a refused one never comes

let fabric: EstateFabric;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  fabric = await startEstateFabric();
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(connections.map((connection) => connection.close()));
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function as(identity: EstateIdentity): Promise<NatsConnection> {
  const connection = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), identity)));
  connections.push(connection);
  return connection;
}

describe('replies across a broker reload (L1, L3, T3)', () => {
  it('L3: a request the STS received before a reload is answered after it, and the caller gets the answer', async () => {
    const sts = await as('sts');
    const edge = await as('edge');
    let received: (message: Msg) => void = () => undefined;
    const arrived = new Promise<Msg>((resolve) => (received = resolve));
    sts.subscribe(EstateSubjects.stsExchange, { queue: queueGroupOf('sts'), callback: (error, message) => {
      if (error === null) received(message);
    } });
    await sts.flush();

    const answer = edge.request(EstateSubjects.stsExchange, 'exchange me', { timeout: REPLY_TIMEOUT_MS });
    const request = await arrived;
    await fabric.supervisor.reload(); // as a renewal would, between the request and its reply
    expect(request.respond('exchanged')).toBe(true);

    expect((await answer).string()).toBe('exchanged');
    expect(fabric.supervisor.logs()).not.toMatch(/Permissions Violation for Publish to "_INBOX\.edge/);
  });
});
