import type { FixedRateRun, OrderFlowMeasurement } from '../scenarios/order-flow.js';

/**
 * The order-flow section of results/latest.md: the closed-loop throughput and the latency at each
 * fixed rate. For results-report.ts (or hop-report.ts) to append after the hop table; the hop
 * table's `order_flow` row shows only the closed-loop figures.
 */
export function renderOrderFlowMarkdown(flow: OrderFlowMeasurement | null, reason: string | null): string[] {
  if (flow === null) return ['## Order flow', '', `Not measured: ${reason ?? 'no reason given'}.`];
  const rates = (flow['fixedRates'] ?? []) as readonly FixedRateRun[];
  const cell = (value: unknown): string => (value === undefined || value === null ? 'n/a' : String(value));
  const statuses = (counts: Readonly<Record<string, number>>): string => Object.entries(counts).map(([status, count]) => `${status}: ${count}`).join(', ') || 'none';
  const checks = (flow['checks'] ?? {}) as Readonly<Record<string, boolean>>;
  const memory = flow['memoryHopReplay'] as
    | { requestsPerSecond: number; latencyMs: { p50: number; p99: number }; clean: boolean; serverCpu?: number; cpuMsPerOrder?: Readonly<Record<string, number>> }
    | undefined;
  const sharedCpu = flow['cpuMsPerOrder'] as Readonly<Record<string, number>> | undefined;
  const cpuTable = sharedCpu === undefined
    ? []
    : [
        '',
        'Server CPU per order (ms), closed loop, by process:',
        '',
        `| hop replay stores | ${Object.keys(sharedCpu).join(' | ')} | all |`,
        `|---|${Object.keys(sharedCpu).map(() => '--:').join('|')}|--:|`,
        ...[['shared (JetStream)', sharedCpu], ['in memory', memory?.cpuMsPerOrder]].flatMap(([label, cpu]) => {
          if (cpu === undefined) return [];
          const row = cpu as Readonly<Record<string, number>>;
          const all = Object.values(row).reduce((sum, value) => sum + value, 0);
          return [`| ${String(label)} | ${Object.keys(sharedCpu).map((name) => cell(row[name])).join(' | ')} | ${all.toFixed(3)} |`];
        }),
      ];
  return [
    '## Order flow (POST /v1/orders: edge -> STS -> orders -> STS -> inventory, JetStream KV)',
    '',
    cell(flow['description']),
    '',
    '| run | req/s | p50 ms | p99 ms | estate busy | statuses | clean |',
    '|---|--:|--:|--:|--:|---|:-:|',
    `| closed loop, ${cell(flow['connections'])} connections | ${flow.requestsPerSecond} | ${flow.latencyMs.p50} | ${flow.latencyMs.p99} | ${cell(flow['serverCpu'])} | ${statuses((flow['statuses'] ?? {}) as Record<string, number>)} | ${flow['clean'] === true ? 'yes' : 'NO'} |`,
    ...rates.map(
      (run) => `| fixed ${run.targetRate}/s (${Math.round(run.share * 100)} %), open loop | ${run.achievedRate} | ${run.latencyMs.p50} | ${run.latencyMs.p99} | ${cell(run.serverCpu)} | ${statuses(run.statuses)} | ${run.clean ? 'yes' : 'NO'} |`,
    ),
    ...(memory === undefined
      ? []
      : [`| closed loop, hop replay stores in memory (HOP_REPLAY_STORE=memory), another estate | ${memory.requestsPerSecond} | ${memory.latencyMs.p50} | ${memory.latencyMs.p99} | ${cell(memory.serverCpu)} | | ${memory.clean ? 'yes' : 'NO'} |`]),
    '',
    `shared_vs_memory_hop_replay (closed loop, shared / in memory): ${cell(flow['shared_vs_memory_hop_replay'])}`,
    ...cpuTable,
    '',
    `Checked in the warm-up: tampered proof refused (${cell(checks['tamperedRefused'])}), valid order 201 "reserved" (${cell(checks['validReserved'])}) and read back (${cell(checks['readBack'])}), replay refused (${cell(checks['replayRefused'])}). "Estate busy": CPU of all five server processes over wall time, on the one server core.`,
  ];
}
