import type { HopMeasurements, NatsRequestMeasurement } from '../scenarios/internal-hop.js';
import type { ProfileSummary } from './cpu-profile-summary.js';

/** A load core this busy may be what limits the run, not the receiver. */
const LOAD_BOUND = 0.85;
const number = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 2 });
const yes = (value: boolean): string => (value ? 'yes' : '**no**');
const percent = (share: number): string => `${Math.round(share * 1000) / 10} %`;

/** The "Internal hop" section of latest.md: the two runs, the ratio, the honesty checks, the profile. */
export function renderHopMarkdown(
  hop: HopMeasurements,
  ratios: { readonly hop_vs_plain_nats: number; readonly plain_p50_vs_hop_p50: number; readonly hop_vs_plain_nats_by_server_cpu: number | null },
  target: { readonly target: number; readonly met: boolean },
  es256VerifiesPerSecond: number,
): string[] {
  const row = (name: string, m: NatsRequestMeasurement): string =>
    `| ${name}${m.loadGeneratorCpu >= LOAD_BOUND ? ' (load-bound: a lower bound)' : ''} | ${number(m.requestsPerSecond)} | ${m.latencyMs.p50} | ${m.latencyMs.p99} | ${m.receiverCpu ?? 'n/a'} | ${m.natsServerCpu ?? 'n/a'} | ${m.loadGeneratorCpu} | ${m.cpuUsPerRequest.receiver ?? 'n/a'} | ${m.cpuUsPerRequest.natsServer ?? 'n/a'} | ${m.cpuUsPerRequest.caller} | ${yes(m.clean)} |`;
  const extraReceiverUs = hop.hop.cpuUsPerRequest.receiver !== null && hop.plain_nats.cpuUsPerRequest.receiver !== null ? Math.round(hop.hop.cpuUsPerRequest.receiver - hop.plain_nats.cpuUsPerRequest.receiver) : undefined;
  const verifyUs = es256VerifiesPerSecond > 0 ? Math.round(1e6 / es256VerifiesPerSecond) : undefined;
  const flow = hop.order_flow;
  const lines = [
    `## Internal hop against plain mTLS NATS (${hop.setup['payload']}, ${hop.setup['in_flight']} in flight)`,
    '',
    `Broker: ${hop.setup['broker']}. STS: ${hop.setup['sts']}. Receiver: ${hop.setup['receiver']}. Caller: ${hop.setup['caller']}. Replay store: ${hop.setup['replay_store']}.`,
    '',
    '| target | req/s | p50 ms | p99 ms | receiver busy | nats-server busy | load core busy | receiver CPU µs/req | nats-server CPU µs/req | caller CPU µs/req | all echoed |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|',
    row('hop (bound: exchange cached, proof signed and verified, token checked)', hop.hop),
    row('plain_nats (same caller, receiver, payload; no headers, no guard)', hop.plain_nats),
    flow === null ? `| order_flow | ${hop.order_flow_reason ?? 'not measured'} | | | | | | | | | |` : `| order_flow | ${number(flow.requestsPerSecond)} | ${flow.latencyMs.p50} | ${flow.latencyMs.p99} | | | | | | | |`,
    '',
    '| ratio | value | target | met |',
    '|---|--:|--:|:-:|',
    `| hop_vs_plain_nats (hop req/s / plain req/s) | ${ratios.hop_vs_plain_nats} | >= ${target.target} | ${yes(target.met)} |`,
    `| server-core CPU per plain request / per hop (receiver + nats-server) | ${ratios.hop_vs_plain_nats_by_server_cpu ?? 'n/a'} | | |`,
    `| plain p50 / hop p50 | ${ratios.plain_p50_vs_hop_p50} | | |`,
    '',
    `Receiver and nats-server share the server core: their "busy" figures add up to at most 1, less what other work on the machine took. CPU per request counts every thread of each process.${extraReceiverUs === undefined || verifyUs === undefined ? '' : ` The guard adds ${extraReceiverUs} µs of receiver CPU per request; one ES256 verify (jose, measured above) costs ${verifyUs} µs.`}`,
    `Exchanges at the STS during the bench: ${hop.exchanges} for ${number(hop.hopRequests)} hops (the first call, then one per token refresh).`,
    `Honesty checks in the warm-up (the guarded echo must refuse each, else the bench stops): no hop headers (${hop.honesty.noHeadersRefused}), a replayed proof (${hop.honesty.replayRefused}), valid headers over another payload (${hop.honesty.swappedPayloadRefused}).`,
  ];
  const profile = hop.profile;
  if (profile !== null) {
    lines.push(
      '',
      `### Where a hop's time goes (${number(profile.requestsPerSecondWhileProfiled)} hops/s while profiled, ${profile.profiledSeconds} s)`,
      '',
      profile.note,
      '',
      ...summaryTable(`receiver (server core), idle ${percent(profile.receiver.idleShare)}`, profile.receiver),
      '',
      ...summaryTable(`caller (load core), idle ${percent(profile.caller.idleShare)}`, profile.caller),
    );
  }
  return lines;
}

function summaryTable(title: string, summary: ProfileSummary): string[] {
  return [
    `| ${title}: self time by module | share |`,
    '|---|--:|',
    ...summary.byModule.slice(0, 8).map((entry) => `| ${entry.name} | ${percent(entry.share)} |`),
    '',
    `| ${title}: top functions (self time) | share |`,
    '|---|--:|',
    ...summary.topFunctions.slice(0, 10).map((entry) => `| \`${entry.name}\` | ${percent(entry.share)} |`),
  ];
}
