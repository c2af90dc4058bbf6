import type { ClusterEstate } from './cluster-estate.js';

/**
 * Which node leads each raft group, as one node's monitoring port reports it (`/jsz`): the
 * JetStream meta group (`META`) and every stream (a KV bucket is the stream `KV_<bucket>`).
 * Read from a node's own view, not through the JetStream API, so it answers while a group (or
 * the meta group) has no leader.
 */
export const META_GROUP = 'META';

interface Jsz {
  readonly meta_cluster?: { readonly leader?: string };
  readonly account_details?: readonly { readonly stream_detail?: readonly { readonly name: string; readonly cluster?: { readonly leader?: string } }[] }[];
}

export async function raftLeaders(estate: ClusterEstate, node: number): Promise<Record<string, string | undefined>> {
  const response = await fetch(`${estate.fabric.cluster!.monitoringUrl(node)}/jsz?accounts=true&streams=true`, { signal: AbortSignal.timeout(1_000) });
  const jsz = (await response.json()) as Jsz;
  const leaders: Record<string, string | undefined> = { [META_GROUP]: jsz.meta_cluster?.leader };
  for (const account of jsz.account_details ?? []) for (const stream of account.stream_detail ?? []) leaders[stream.name] = stream.cluster?.leader;
  return leaders;
}

/**
 * Watches, from node `observer`, the groups `victim` led until each has another leader or
 * `untilMs` have passed since `from`: milliseconds from `from` to each new leader (absent if none
 * was seen). Polled every POLL_MS, so each figure is late by at most that.
 */
export const POLL_MS = 100; // milliseconds

export class ElectionWatch {
  readonly elected: Record<string, number> = {};
  readonly #done: Promise<void>;
  #stopped = false;

  constructor(estate: ClusterEstate, observer: number, victim: string, readonly groups: readonly string[], from: number, untilMs: number) {
    this.#done = (async () => {
      while (!this.#stopped && Date.now() - from < untilMs && groups.some((group) => this.elected[group] === undefined)) {
        const leaders = await raftLeaders(estate, observer).catch(() => undefined);
        const at = Date.now() - from;
        for (const group of groups) {
          const leader = leaders?.[group];
          if (this.elected[group] === undefined && leader !== undefined && leader !== '' && leader !== victim) this.elected[group] = at;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();
  }

  /** Waits for the watch to end (every group re-elected, or the time up). */
  async settled(): Promise<Readonly<Record<string, number>>> {
    await this.#done;
    return this.elected;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }
}
