import { mkdir, rename, writeFile } from 'node:fs/promises';
import type { PacedResult } from '../harness/paced-load.js';
import type { RssSample, RssTrend } from './rss-sampler.js';
import type { NodeFaultFigures } from './node-fault.js';
import type { AttackTally } from './soak-mix.js';

/** bench/results/soak-latest.json: the figures a reader (and issue 10) asks of the last soak. */
export interface SoakSummary {
  readonly generated_at: string;
  readonly passed: boolean;
  readonly certTtlSeconds: number | null;
  /** Every request sent, attacks included, warm-up included. */
  readonly requests: number;
  /** Valid requests answered non-2xx, and requests with no answer at all. */
  readonly failed: number;
  /** Attacks answered 2xx. */
  readonly wronglyAccepted: number;
  readonly attacksRefused: number;
  readonly rotations: Readonly<Record<string, number>> | null;
  /** On three nats-server nodes (--cluster). */
  readonly cluster: boolean;
  /** With --kill-nats-node: acknowledged orders missing afterwards, orders stored twice, seconds until orders were placed again; null without it. */
  readonly lostOrders: number | null;
  readonly duplicatedOrders: number | null;
  readonly recoverySeconds: number | null;
  /** With --kill-nats-node: seconds until the last bucket of the order path the node led had a new leader (nats-server's share of recoverySeconds). */
  readonly electionSeconds: number | null;
}

export function soakSummary(results: SoakResults): SoakSummary {
  const { load, unexpected, attacks } = results;
  return {
    generated_at: results.generated_at,
    passed: results.verdict.passed,
    certTtlSeconds: results.settings.certTtlSeconds,
    requests: load.warmup.completed + load.warmup.errors + load.measured.completed + load.measured.errors,
    failed: unexpected.non2xx + unexpected.errors,
    wronglyAccepted: attacks.wronglyAccepted,
    attacksRefused: attacks.refused,
    rotations: results.rotations,
    cluster: results.settings.cluster,
    lostOrders: results.nodeFault?.lostOrders ?? null,
    duplicatedOrders: results.nodeFault?.duplicatedOrders ?? null,
    recoverySeconds: results.nodeFault?.recoverySeconds ?? null,
    electionSeconds: results.nodeFault?.electionSeconds ?? null,
  };
}

/** bench/results/soak.json: every figure of one soak, and the samples behind the memory trends. */
export interface SoakResults {
  readonly generated_at: string;
  readonly machine: Readonly<Record<string, string | number>>;
  readonly settings: {
    readonly rate: number;
    readonly warmupSeconds: number;
    readonly seconds: number;
    readonly clients: number;
    /** A process whose RSS slope over the measured phase exceeds this fails the soak. */
    readonly rssBoundMbPerMin: number;
    /** One request in this many is an attack. */
    readonly attackEvery: number;
    /** Certificate lifetime with --cert-ttl; null: certificates outlast the run. */
    readonly certTtlSeconds: number | null;
    readonly cluster: boolean;
  };
  readonly load: { readonly warmup: PacedResult; readonly measured: PacedResult };
  /** Every non-2xx answer and every request without an answer, warm-up included. */
  readonly unexpected: { readonly non2xx: number; readonly errors: number; readonly firstError: string | undefined };
  readonly attacks: AttackTally;
  /** Leaves issued during the run per name (renewals) and CA rollovers; null without --cert-ttl. */
  readonly rotations: Readonly<Record<string, number>> | null;
  /** With --kill-nats-node: the node lost and what it cost; null without it. */
  readonly nodeFault: NodeFaultFigures | null;
  readonly memory: { readonly trends: Readonly<Record<string, RssTrend>>; readonly samples: readonly RssSample[] };
  readonly verdict: { readonly passed: boolean; readonly failures: readonly string[] };
}

export function renderSoakMarkdown(results: SoakResults): string {
  const { settings, load, unexpected, memory, verdict } = results;
  const measured = load.measured;
  const lines = [
    `# Soak: ${settings.rate} req/s for ${settings.seconds} s after a ${settings.warmupSeconds} s warm-up`,
    '',
    `${results.generated_at}, ${results.machine['cpus']} cores, Node ${results.machine['node']}; ${results.machine['pinning']}.`,
    `Mix in turn: GET /v1/me, POST /v1/orders, GET /v1/orders/:id of a placed order; ${settings.clients} bound clients; every request a fresh DPoP proof; open loop (request i at start + i/rate).`,
    '',
    `**${verdict.passed ? 'Passed' : 'FAILED'}**${verdict.failures.length > 0 ? `: ${verdict.failures.join('; ')}` : ''}`,
    '',
    '## Answers (measured phase)',
    '',
    '| route | statuses | p50 ms | p99 ms | max ms |',
    '|---|---|--:|--:|--:|',
    ...Object.entries(measured.byRoute).map(([route, result]) => `| ${route} | ${statuses(result.statuses)} | ${result.latencyMs.p50} | ${result.latencyMs.p99} | ${result.latencyMs.max} |`),
    `| all | ${statuses(measured.statuses)} | ${measured.latencyMs.p50} | ${measured.latencyMs.p99} | ${measured.latencyMs.max} |`,
    '',
    `Achieved ${measured.achievedRate} req/s (target ${settings.rate}); generator lag p99 ${measured.schedulerLagMs.p99} ms; load core busy ${measured.loadGeneratorCpu}.`,
    `Unexpected (warm-up included): ${unexpected.non2xx} valid requests non-2xx, ${unexpected.errors} without an answer${unexpected.firstError === undefined ? '' : ` (first: ${unexpected.firstError})`}; warm-up statuses ${statuses(load.warmup.statuses)}.`,
    `Attacks (one request in ${settings.attackEvery}: a replayed proof or a stolen token): ${results.attacks.sent} sent, ${results.attacks.refused} refused, ${results.attacks.wronglyAccepted} wrongly accepted.`,
    results.rotations === null
      ? 'Certificates outlast the run (no --cert-ttl).'
      : `Certificates of ${settings.certTtlSeconds} s renewed at half-life during the run: ${Object.entries(results.rotations).map(([name, count]) => `${name} ${count}`).join(', ')} (CA: rollovers).`,
    ...(results.nodeFault === null
      ? []
      : [`Node lost (--kill-nats-node): ${results.nodeFault.killedNode} SIGKILLed ${results.nodeFault.killedAtSeconds} s into the run, restarted ${results.nodeFault.downSeconds} s later${results.nodeFault.rejoined ? '' : ' (NOT back)'}; ${results.nodeFault.ordersAcknowledged} orders acknowledged of ${results.nodeFault.ordersSent} sent, ${results.nodeFault.lostOrders} lost, ${results.nodeFault.duplicatedOrders} stored twice; ${results.nodeFault.failedAfterKill} valid requests refused after the kill (${results.nodeFault.failedAfterRestart} of them sent after its restart); orders placed again after ${results.nodeFault.recoverySeconds ?? 'never'} s, the last bucket it led (${results.nodeFault.killedNodeLed.join(', ')}) re-elected by nats-server after ${results.nodeFault.electionSeconds ?? 'never'} s.`]),
    '',
    `## Resident memory (VmRSS, sampled every second; bound ${settings.rssBoundMbPerMin} MB/min)`,
    '',
    '| process | start MB | end MB | max MB | slope MB/min | samples |',
    '|---|--:|--:|--:|--:|--:|',
    ...Object.entries(memory.trends).map(([name, trend]) => `| ${name} | ${trend.startMb} | ${trend.endMb} | ${trend.maxMb} | ${trend.slopeMbPerMin} | ${trend.samples} |`),
    '',
    'Start is the first sample after the warm-up, end the last; the slope is the least-squares line through every sample in between.',
    '',
  ];
  return lines.join('\n');
}

function statuses(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([status, count]) => `${status}: ${count}`).join(', ');
}

/** Writes soak.json and soak.md into `dir`, each through a temporary file so a reader never sees half. */
export async function writeSoakResults(dir: string, results: SoakResults): Promise<void> {
  await mkdir(dir, { recursive: true });
  const write = async (path: string, text: string): Promise<void> => {
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
  };
  await write(`${dir}soak.json`, `${JSON.stringify(results, null, 2)}\n`);
  await write(`${dir}soak.md`, renderSoakMarkdown(results));
  await write(`${dir}soak-latest.json`, `${JSON.stringify(soakSummary(results), null, 2)}\n`);
}
