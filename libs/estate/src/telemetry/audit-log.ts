import { trace } from '@opentelemetry/api';

/** The `schema` member of every audit line; bump it when a member changes meaning (audit-line.schema.json). */
export const AUDIT_SCHEMA = 'hybrid-estate.audit/1';

/** What happened: a refusal, or a privileged action. */
export type AuditEvent = 'refusal' | 'revocation_published' | 'certificate_rotated' | 'signing_key_rotated';

/**
 * One audit line (SECURITY.md O3), one JSON object per line. Identities, failure types, hashes and
 * thumbprints only: never a token, a proof, a key or a nonce (O4). See audit-line.schema.json.
 */
export interface AuditLine {
  readonly schema: typeof AUDIT_SCHEMA;
  readonly time: string;
  readonly event: AuditEvent;
  /** The workload that writes the line (edge, auth, sts, orders, inventory, or the operator tool). */
  readonly service: string;
  /** W3C trace id of the request or action, when it is traced. */
  readonly trace_id?: string;
  /** `edge` or the NATS subject of a refusal. */
  readonly hop?: string;
  /** The SPIFFE ID of the caller, or the operator identity of an action; `unknown` for a hop refused before the sender's certificate was validated. */
  readonly caller?: string;
  readonly failure_type?: string;
  readonly code?: string;
  /** base64url(SHA-256(jti)) of the refused proof, when it was read. */
  readonly jti_hash?: string;
  /** A key or certificate thumbprint (`jkt`, `x5t#S256`), a signing key's `kid`. */
  readonly thumbprint?: string;
  readonly kid?: string;
  /** What a revocation names (`jti`, `sub`, `cert`) and until when (epoch seconds). */
  readonly revocation_kind?: string;
  /** base64url(SHA-256(value)) of a published `jti` or `sub` revocation. */
  readonly revocation_value_hash?: string;
  readonly until?: number;
  /** A certificate's end of validity, ISO 8601. */
  readonly not_after?: string;
}

export type AuditFields = Omit<AuditLine, 'schema' | 'time' | 'service' | 'event'>;

/** Where audit lines go: a function taking one complete line (with its newline). */
export type AuditSink = (line: string) => void;

/** stdout, one line per write, so lines of concurrent writers never interleave. */
export const stdoutAuditSink: AuditSink = (line) => void process.stdout.write(line);

/**
 * The audit trail of one workload (O3): `record(event, fields)` writes one JSON line with the
 * schema tag, the time, the service and, when the current context is traced, the trace id. Empty
 * members are left out. The sink is stdout by default (a log shipper separates audit lines by
 * their `schema` member); AUDIT_LOG=off turns it off.
 */
export class AuditLog {
  constructor(
    private readonly service: string,
    /** null: no audit lines (AUDIT_LOG=off). */
    private readonly sink: AuditSink | null = stdoutAuditSink,
  ) {}

  record(event: AuditEvent, fields: AuditFields = {}): void {
    if (this.sink === null) return;
    const traceId = fields.trace_id ?? activeTraceId();
    const line: Record<string, unknown> = { schema: AUDIT_SCHEMA, time: new Date().toISOString(), event, service: this.service };
    if (traceId !== undefined) line['trace_id'] = traceId;
    for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== '' && name !== 'trace_id') line[name] = value;
    try {
      this.sink(`${JSON.stringify(line)}\n`);
    } catch {
      // An audit sink that fails must not fail the request it records.
    }
  }
}

function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context === undefined || !trace.isSpanContextValid(context) ? undefined : context.traceId;
}
