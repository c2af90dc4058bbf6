import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { loadEstateConfig, natsConnectionOptions } from '#estate';
import { provisionReplayBucket } from '../../scripts/nats/provision-replay-bucket.js';
import { DpopClient } from '../../libs/binding/test-support/dpop-proofs.js';
import { EdgeProcess } from '../edge/edge-process.js';
import { freePort } from '../../test-support/free-port.js';
import { callWithRawHeaders, type Answer } from '../edge/http-call.js';
import { TestIssuer } from '../../libs/binding/test-support/test-issuer.js';
import { startEstateFabric, type EstateFabric } from '../../test-support/estate-fabric.js';
import { PROCESS_HOOK_TIMEOUT_MS } from '../../test-support/hook-timeout.js';

// E17 across replicas: two edge processes (node dist/apps/edge/main.js, REPLAY_STORE=jetstream)
// behind one public origin share the edge's KV bucket on a real mTLS nats-server. A proof is
// accepted once by the pair, whichever replica sees it first; with the broker down both refuse
// promptly with 503 and accept nothing.

/** The origin a load balancer would serve both replicas under; requests carry it as Host. */
const PUBLIC_HOST = 'api.estate.test';
const ORIGIN = `http://${PUBLIC_HOST}`;
const ME = `${ORIGIN}/v1/me`;
/** Generous on a shared 2-core machine; the store's own bound is 1 s (DEFAULT_REPLAY_CLAIM_TIMEOUT_MS). */
const PROMPT_MS = 2_500; // milliseconds

let fabric: EstateFabric;
let issuer: TestIssuer;
let client: DpopClient;
let replicas: EdgeProcess[] = [];

beforeAll(async () => {
  fabric = await startEstateFabric();
  const admin = await connect(natsConnectionOptions(loadEstateConfig(fabric.env(), 'admin')));
  try {
    await provisionReplayBucket(admin, { bucket: 'edge', windowSeconds: 70 });
  } finally {
    await admin.close();
  }
  issuer = await new TestIssuer(ORIGIN).start();
  client = await DpopClient.create();
  const env = fabric.env({
    AUTH_ISSUER: issuer.issuer,
    EDGE_PUBLIC_URL: ORIGIN,
    REPLAY_STORE: 'jetstream',
    NATS_RECONNECT_WAIT_MS: '100',
  });
  replicas = await Promise.all([new EdgeProcess(await freePort(), env).start(), new EdgeProcess(await freePort(), env).start()]);
}, PROCESS_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await issuer?.stop();
  await fabric?.stop();
}, PROCESS_HOOK_TIMEOUT_MS);

async function boundRequest(): Promise<Record<string, string>> {
  const token = await issuer.mint({ cnf: { jkt: client.jkt } });
  return { host: PUBLIC_HOST, authorization: `DPoP ${token}`, dpop: await client.proof({ htm: 'GET', htu: ME, token }) };
}

function send(replica: EdgeProcess, headers: Record<string, string>): Promise<Answer> {
  return callWithRawHeaders(`http://127.0.0.1:${replica.port}/v1/me`, headers);
}

describe('edge replicas sharing the JetStream replay store (E17)', () => {
  it('E17: one proof sent to both replicas at the same time succeeds exactly once', async () => {
    for (let round = 0; round < 10; round++) {
      const headers = await boundRequest();
      const answers = await Promise.all(replicas.map((replica) => send(replica, headers)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
      const refused = answers.find((answer) => answer.status === 401)!;
      expect(refused.body).toMatchObject({ error: 'invalid_dpop_proof' });
      expect(refused.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    }
  });

  it('E17: a proof accepted by one replica is refused by the other later; fresh proofs pass on both', async () => {
    const [first, second] = replicas as [EdgeProcess, EdgeProcess];
    const headers = await boundRequest();
    expect((await send(first, headers)).status).toBe(200);
    expect((await send(second, headers)).status).toBe(401);
    expect((await send(second, await boundRequest())).status).toBe(200);
    expect((await send(first, await boundRequest())).status).toBe(200);
  });

  it('E17: a replica caps each client key (EDGE_REPLAY_MAX_PER_KEY) in front of the shared bucket: one key at its cap gets 503, another key still passes', async () => {
    const env = fabric.env({ AUTH_ISSUER: issuer.issuer, EDGE_PUBLIC_URL: ORIGIN, REPLAY_STORE: 'jetstream', EDGE_REPLAY_MAX_PER_KEY: '3' });
    const capped = await new EdgeProcess(await freePort(), env).start();
    try {
      for (let index = 0; index < 3; index += 1) expect((await send(capped, await boundRequest())).status).toBe(200);
      const refused = await send(capped, await boundRequest());
      expect({ status: refused.status, error: refused.body['error'] }).toEqual({ status: 503, error: 'temporarily_unavailable' });
      const other = await DpopClient.create();
      const token = await issuer.mint({ cnf: { jkt: other.jkt } });
      const answer = await send(capped, { host: PUBLIC_HOST, authorization: `DPoP ${token}`, dpop: await other.proof({ htm: 'GET', htu: ME, token }) });
      expect(answer.status).toBe(200);
    } finally {
      await capped.stop();
    }
  });

  it('E17: a broker that stops answering (SIGSTOP) gets a 503 within the claim timeout, never a hang', async () => {
    const pid = fabric.supervisor.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const answers = await Promise.all(replicas.map(async (replica) => send(replica, await boundRequest())));
      expect(answers.map((answer) => answer.status)).toEqual([503, 503]);
      expect(Date.now() - started).toBeLessThan(PROMPT_MS);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await send(replicas[0]!, await boundRequest())).status).toBe(200);
  });

  it('E17: with NATS down every replica answers a valid proof with a prompt 503 and accepts nothing; after a restart claims are remembered', async () => {
    const remembered = await boundRequest();
    expect((await send(replicas[0]!, remembered)).status).toBe(200);
    await fabric.supervisor.kill();
    try {
      for (const replica of replicas) {
        for (let attempt = 0; attempt < 3; attempt++) {
          const started = Date.now();
          const answer = await send(replica, await boundRequest());
          expect(answer.status).toBe(503);
          expect(answer.body).toMatchObject({ error: 'temporarily_unavailable' });
          expect(answer.headers.get('retry-after')).toBe('1');
          expect(Date.now() - started).toBeLessThan(PROMPT_MS);
        }
      }
      // A replayed proof is not let through either: the store cannot say it is new.
      expect((await send(replicas[1]!, remembered)).status).toBe(503);
    } finally {
      await fabric.supervisor.restart();
    }
    // The replicas reconnect on their own; a fresh proof passes again within a few seconds.
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await send(replicas[1]!, await boundRequest())).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    // File storage: the claim made before the crash is still there.
    expect((await send(replicas[1]!, remembered)).status).toBe(401);
  });
});
