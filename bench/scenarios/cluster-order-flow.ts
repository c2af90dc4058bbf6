import { round, type BenchContext } from '../harness/bench-context.js';
import { OrderEstate } from '../harness/order-estate.js';
import { SkuPlan } from '../harness/order-requests.js';
import { checkOrderRoute } from './order-route-checks.js';
import { closedLoopRun, fixedRate, FIXED_RATE_SHARES, type FixedRateRun } from './order-flow.js';

/**
 * `cluster_order_flow` (issue 11 §5): the order flow on a three-node NATS cluster (every JetStream
 * asset at R3, clients given every node's URL) beside the single node, in the same run and the same
 * way: the closed-loop throughput, then open-loop runs at the same fixed rates on both (shares of
 * the single node's throughput), and each process's CPU per order. What replication costs per
 * order is the difference of the two CPU sums, the broker's share shown apart (one server vs three).
 * All servers share the server core (cpu-pinning.ts), so the cluster's extra CPU is also lost
 * throughput here, as it would be on a host that runs all three nodes.
 */
export interface EstateFigures {
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly clean: boolean;
  readonly cpuMsPerOrder: Readonly<Record<string, number>> | undefined;
  readonly cpuMsPerOrderTotal: number | undefined;
  readonly brokerCpuMsPerOrder: number | undefined;
  readonly fixedRates: readonly FixedRateRun[];
}

export interface ClusterOrderFlow {
  readonly description: string;
  readonly single: EstateFigures;
  readonly cluster: EstateFigures;
  readonly replication: {
    /** CPU milliseconds per order the cluster spends beyond the single node, all processes. */
    readonly cpuMsPerOrder: number | undefined;
    /** Of which in the brokers (three nats-servers against one). */
    readonly brokerCpuMsPerOrder: number | undefined;
    /** cluster / single closed-loop throughput. */
    readonly throughputRatio: number;
    /** Per fixed rate: cluster p99 minus single p99, milliseconds. */
    readonly p99DeltaMs: readonly { readonly rate: number; readonly ms: number }[];
  };
}

export async function measureClusterOrderFlow(context: BenchContext): Promise<ClusterOrderFlow> {
  context.log('cluster order flow: the same order path on one nats-server and on a three-node cluster (R3)');
  const single = await measureEstate(context, false, undefined);
  const rates = single.fixedRates.map((run) => run.targetRate);
  const cluster = await measureEstate(context, true, rates);
  const brokerDelta = single.brokerCpuMsPerOrder === undefined || cluster.brokerCpuMsPerOrder === undefined ? undefined : round(cluster.brokerCpuMsPerOrder - single.brokerCpuMsPerOrder, 3);
  const totalDelta = single.cpuMsPerOrderTotal === undefined || cluster.cpuMsPerOrderTotal === undefined ? undefined : round(cluster.cpuMsPerOrderTotal - single.cpuMsPerOrderTotal, 3);
  return {
    description: 'POST /v1/orders on the built estate (edge, sts, orders, inventory, one each) against one nats-server and against a three-node cluster with mutual-TLS routes and every JetStream asset at R3; same proofs, same fixed rates; CPU per order by process from /proc',
    single,
    cluster,
    replication: {
      cpuMsPerOrder: totalDelta,
      brokerCpuMsPerOrder: brokerDelta,
      throughputRatio: round(cluster.requestsPerSecond / Math.max(single.requestsPerSecond, 1), 2),
      p99DeltaMs: single.fixedRates.map((run, index) => ({ rate: run.targetRate, ms: round((cluster.fixedRates[index]?.latencyMs.p99 ?? Number.NaN) - run.latencyMs.p99, 1) })),
    },
  };
}

/** One estate: checks, closed loop, then fixed rates (shares of its own throughput, or `rates`). */
async function measureEstate(context: BenchContext, cluster: boolean, rates: readonly number[] | undefined): Promise<EstateFigures> {
  const label = cluster ? 'cluster' : 'single node';
  const estate = await OrderEstate.start({ pinning: context.pinning, issuer: context.issuer, audience: context.audience, cluster });
  try {
    const skus = new SkuPlan();
    const checks = await checkOrderRoute(estate.origin, context.clients, skus);
    if (!checks.validReserved || !checks.tamperedRefused) throw new Error(`${label}: the order route does not work (${JSON.stringify(checks)})`);
    const main = await closedLoopRun(context, estate, skus);
    context.log(`  ${label}: ${round(main.load.okPerSecond)} orders/s closed loop, p50 ${main.load.latencyMs.p50} ms, p99 ${main.load.latencyMs.p99} ms${main.clean ? '' : ' (NOT all 2xx)'}`);
    const fixedRates: FixedRateRun[] = [];
    for (const [index, share] of FIXED_RATE_SHARES.entries()) {
      const rate = rates?.[index] ?? Math.max(1, Math.round(share * main.load.okPerSecond));
      const run = await fixedRate(context, estate, skus, share, rate);
      fixedRates.push(run);
      context.log(`  ${label}: ${rate} orders/s: p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms${run.clean ? '' : ` (NOT all 2xx: ${JSON.stringify(run.statuses)})`}`);
    }
    const perOrder = main.cpuMsPerOrder;
    const sum = (filter: (name: string) => boolean): number | undefined => (perOrder === undefined ? undefined : round(Object.entries(perOrder).filter(([name]) => filter(name)).reduce((total, [, ms]) => total + ms, 0), 3));
    return {
      requestsPerSecond: round(main.load.okPerSecond),
      latencyMs: { p50: main.load.latencyMs.p50, p99: main.load.latencyMs.p99 },
      clean: main.clean,
      cpuMsPerOrder: perOrder,
      cpuMsPerOrderTotal: sum(() => true),
      brokerCpuMsPerOrder: sum((name) => name.startsWith('nats-server')),
      fixedRates,
    };
  } finally {
    await estate.stop();
  }
}

/** The results file's Markdown. */
export function renderClusterOrderFlow(figures: ClusterOrderFlow): string {
  const row = (label: string, estate: EstateFigures): string => `| ${label} | ${estate.requestsPerSecond} | ${estate.latencyMs.p50} | ${estate.latencyMs.p99} | ${estate.fixedRates.map((run) => `${run.targetRate}/s: p99 ${run.latencyMs.p99} ms`).join('; ')} | ${estate.cpuMsPerOrderTotal ?? 'n/a'} | ${estate.brokerCpuMsPerOrder ?? 'n/a'} |`;
  const processes = (estate: EstateFigures): string => Object.entries(estate.cpuMsPerOrder ?? {}).map(([name, ms]) => `${name} ${ms}`).join(', ');
  return [
    '# Order flow: one nats-server against a three-node cluster (R3)',
    '',
    figures.description,
    '',
    '| estate | orders/s (closed loop) | p50 ms | p99 ms | fixed rates | CPU ms/order (all) | CPU ms/order (brokers) |',
    '|---|---|---|---|---|---|---|',
    row('single node', figures.single),
    row('cluster (3 nodes, R3)', figures.cluster),
    '',
    `Replication costs ${figures.replication.cpuMsPerOrder ?? 'n/a'} ms of CPU per order (brokers: ${figures.replication.brokerCpuMsPerOrder ?? 'n/a'} ms); cluster/single throughput ${figures.replication.throughputRatio}; p99 at the same rates ${figures.replication.p99DeltaMs.map((delta) => `${delta.rate}/s ${delta.ms >= 0 ? '+' : ''}${delta.ms} ms`).join(', ')}.`,
    '',
    `CPU ms per order by process, single: ${processes(figures.single)}`,
    `CPU ms per order by process, cluster: ${processes(figures.cluster)}`,
    '',
  ].join('\n');
}
