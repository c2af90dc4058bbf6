import { readFile } from 'node:fs/promises';
import type { EstateProcess } from '../harness/order-estate.js';
import { round } from '../harness/bench-context.js';

/**
 * Resident memory of each estate process, read from /proc/<pid>/status (VmRSS) once a second
 * by the soak, from outside: the apps expose no heap figures and need no flag for this. RSS
 * includes what V8 has not yet returned to the system, so a flat RSS is the stronger claim.
 */
export interface RssSample {
  /** Seconds since the sampler started. */
  readonly at: number;
  readonly phase: 'warmup' | 'measured';
  /** Megabytes per process name; absent when the process could not be read (it exited). */
  readonly rssMb: Readonly<Record<string, number>>;
}

export interface RssTrend {
  readonly startMb: number;
  readonly endMb: number;
  readonly maxMb: number;
  /** Least-squares slope over the measured samples, megabytes per minute. */
  readonly slopeMbPerMin: number;
  readonly samples: number;
}

const SAMPLE_INTERVAL_MS = 1_000; // milliseconds

/** VmRSS of a process in megabytes, or undefined where /proc has none. */
export async function rssMbOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match === null ? undefined : round(Number(match[1]) / 1024, 1);
  } catch {
    return undefined;
  }
}

export class RssSampler {
  readonly samples: RssSample[] = [];
  private phase: RssSample['phase'] = 'warmup';
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly processes: readonly EstateProcess[]) {
    this.timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
  }

  /** Samples now and starts the measured phase: its first sample is the "start" figure. */
  async startMeasured(): Promise<void> {
    this.phase = 'measured';
    await this.sample();
  }

  /** Takes a last sample and stops. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sample();
  }

  /** Per process: start, end and max of the measured phase, and its least-squares slope. */
  trends(): Record<string, RssTrend> {
    const measured = this.samples.filter((sample) => sample.phase === 'measured');
    const trends: Record<string, RssTrend> = {};
    for (const { name } of this.processes) {
      const points = measured.flatMap((sample) => (sample.rssMb[name] === undefined ? [] : [{ x: sample.at, y: sample.rssMb[name] as number }])).sort((a, b) => a.x - b.x);
      if (points.length === 0) continue;
      trends[name] = {
        startMb: points[0]!.y,
        endMb: points[points.length - 1]!.y,
        maxMb: Math.max(...points.map((point) => point.y)),
        slopeMbPerMin: round(leastSquaresSlope(points) * 60, 2),
        samples: points.length,
      };
    }
    return trends;
  }

  private async sample(): Promise<void> {
    const at = round((performance.now() - this.started) / 1000, 2);
    const phase = this.phase;
    const rssMb: Record<string, number> = {};
    for (const { name, pid } of this.processes) {
      const mb = await rssMbOf(pid);
      if (mb !== undefined) rssMb[name] = mb;
    }
    this.samples.push({ at, phase, rssMb });
  }
}

/** The slope of the least-squares line through the points (units of y per unit of x). */
export function leastSquaresSlope(points: readonly { readonly x: number; readonly y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}
