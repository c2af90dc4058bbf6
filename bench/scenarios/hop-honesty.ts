import type { HopCaller } from '../harness/hop-caller.js';
import { describe } from '../harness/in-flight-loop.js';
import { hopBenchPayload, HOP_BENCH_SUBJECTS } from '../servers/hop-bench-subjects.js';

/**
 * What the warm-up asserts before the hop is measured, so the bench cannot time a guard that
 * accepts everything: a valid hop is answered with its payload, and the guarded echo refuses a
 * request without hop headers, a proof replayed as it went on the wire, and valid headers moved
 * onto another payload. The plain echo must answer without headers (it is the unguarded baseline).
 * Each refusal is recorded as the guard's `code/type`.
 */
export interface HopHonesty {
  readonly validAccepted: boolean;
  readonly plainAcceptedWithoutHeaders: boolean;
  readonly noHeadersRefused: string | false;
  readonly replayRefused: string | false;
  readonly swappedPayloadRefused: string | false;
}

export async function checkHopHonesty(caller: HopCaller): Promise<HopHonesty> {
  const payload = hopBenchPayload();
  const echoed = await caller.hop<{ data?: unknown }>(payload);
  const plain = await caller.plain<{ data?: unknown }>(payload);
  // The replay first, while the replayed proof is well inside its iat window.
  const replayRefused = await refusal(caller.raw(HOP_BENCH_SUBJECTS.hop, caller.replayOfLastHop()));
  const swappedPayloadRefused = await refusal(caller.raw(HOP_BENCH_SUBJECTS.hop, caller.lastHopWithPayload(hopBenchPayload())));
  const noHeadersRefused = await refusal(caller.raw(HOP_BENCH_SUBJECTS.hop, payload));
  return {
    validAccepted: echoed?.data === payload.data,
    plainAcceptedWithoutHeaders: plain?.data === payload.data,
    noHeadersRefused,
    replayRefused,
    swappedPayloadRefused,
  };
}

/** Throws, naming what failed, unless every check held: the bench stops there. */
export function assertHonest(honesty: HopHonesty): void {
  const failed = Object.entries(honesty).filter(([, value]) => value === false).map(([name]) => name);
  if (failed.length > 0) throw new Error(`the hop bench's receiver failed its honesty checks (${failed.join(', ')}): refusing to measure it`);
}

/**
 * The error reply's `code/type` when the guard refused the request; false when it was answered.
 * Only an error reply counts as a refusal: a timeout or a transport failure stops the bench.
 */
async function refusal(reply: Promise<unknown>): Promise<string | false> {
  try {
    await reply;
    return false;
  } catch (error) {
    const isErrorReply = typeof error === 'object' && error !== null && !(error instanceof Error) && typeof (error as { code?: unknown }).code === 'string';
    if (!isErrorReply) throw new Error(`honesty check failed to get an answer: ${describe(error)}`);
    return describe(error);
  }
}
