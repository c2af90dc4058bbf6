import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carried it (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding). */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly status: number;
  readonly durationMs: number;
  /** Start time, microseconds since the epoch. */
  readonly startUs: number;
}

/** One data point of a metric as exported. */
export interface ReceivedPoint {
  readonly service: string;
  readonly metric: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly value: number;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } };
type KeyValue = { key: string; value: AnyValue };

function valueOf(value: AnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, valueOf(entry.value)]));
}

/**
 * A real OTLP/HTTP receiver for the tests (SECURITY.md O1, O2, O4): node:http on 127.0.0.1 taking
 * what the apps' exporters POST to /v1/traces, /v1/metrics and /v1/logs in the http/json encoding
 * (OTEL_EXPORTER_OTLP_PROTOCOL=http/json), decoding spans and metric points, and keeping every body
 * as received, so a test can scan all that was exported for secrets.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly points: ReceivedPoint[] = [];
  /** Every request body as received, in order. */
  readonly bodies: string[] = [];
  readonly #server: Server;

  private constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        this.bodies.push(text);
        try {
          const body = JSON.parse(text) as Record<string, unknown>;
          if (request.url === '/v1/traces') this.#traces(body);
          if (request.url === '/v1/metrics') this.#metrics(body);
        } catch {
          // Not JSON (a protobuf export): kept in `bodies` only.
        }
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end('{}');
      });
    });
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /** The latest value of a counter's point with these attributes, summed over the services that report it. */
  latest(metric: string, service: string, attributes: Readonly<Record<string, unknown>>): number | undefined {
    const matching = this.points.filter(
      (point) => point.metric === metric && point.service === service && Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
    );
    return matching.at(-1)?.value;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #traces(body: Record<string, unknown>): void {
    for (const resourceSpans of (body['resourceSpans'] as any[]) ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind,
            attributes: attributesOf(span.attributes),
            status: span.status?.code ?? 0,
            durationMs: Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6,
            startUs: Number(BigInt(span.startTimeUnixNano) / 1000n),
          });
        }
      }
    }
  }

  #metrics(body: Record<string, unknown>): void {
    for (const resourceMetrics of (body['resourceMetrics'] as any[]) ?? []) {
      const service = String(attributesOf(resourceMetrics.resource?.attributes)['service.name']);
      for (const scope of resourceMetrics.scopeMetrics ?? []) {
        for (const metric of scope.metrics ?? []) {
          const points = metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? metric.histogram?.dataPoints ?? [];
          for (const point of points) {
            const value = point.asInt !== undefined ? Number(point.asInt) : point.asDouble !== undefined ? point.asDouble : Number(point.count ?? 0);
            this.points.push({ service, metric: metric.name, attributes: attributesOf(point.attributes), value });
          }
        }
      }
    }
  }
}
