import type { IncomingMessage } from 'node:http';
import type { DpopRequest, DpopVerification, DpopVerifier } from '../dpop/verify-dpop-request.js';
import { BindingConfigError, BindingError } from '../errors/binding-error.js';
import { dpopChallenge } from '../errors/www-authenticate.js';
import type { BindingPolicy } from './binding-policy.js';

/** The request object of either adapter: Express's is the IncomingMessage; Fastify's wraps it. */
type AdapterRequest = IncomingMessage & { raw?: IncomingMessage; originalUrl?: string; body?: unknown };
/** Express's `res.header(name, value)` and Fastify's `reply.header(name, value)` both set once. */
type AdapterResponse = { header(name: string, value: string): unknown };

/**
 * Reads what the DPoP check needs from the raw Node request, so Express and Fastify behave the
 * same: header values from `headersDistinct` (E2: Node keeps only the first of duplicated
 * Authorization headers in `headers`), the request target as received (E13, E14).
 */
export function toDpopRequest(request: AdapterRequest, policy: BindingPolicy): DpopRequest {
  const raw = request.raw ?? request;
  const headers = headerLines(raw);
  return {
    method: raw.method ?? '',
    // Express rewrites req.url inside routers; originalUrl keeps the target as the client sent it.
    target: request.originalUrl ?? raw.url ?? '',
    host: headers.host,
    remoteAddress: raw.socket?.remoteAddress,
    forwarded: headers.forwarded,
    xForwardedProto: headers['x-forwarded-proto'],
    xForwardedHost: headers['x-forwarded-host'],
    authorization: headers.authorization,
    dpop: headers.dpop,
    bodyHasAccessToken: formBodyHasAccessToken(request),
    // The @Bound policy is frozen at declaration: passed as it is, its audience and scopes only read.
    policy,
  };
}

/**
 * Every line of every header, by lower-case name. Node's `headersDistinct` where the request has
 * it; else built from `rawHeaders` (an injected request, e.g. Fastify's `inject`, has only that).
 * Without either, duplicated headers (E2, E3) could not be seen: a configuration error, not a pass.
 */
function headerLines(raw: IncomingMessage): NodeJS.Dict<string[]> {
  if (raw.headersDistinct !== undefined) return raw.headersDistinct;
  if (!Array.isArray(raw.rawHeaders)) throw new BindingConfigError('the HTTP adapter gives neither headersDistinct nor rawHeaders: duplicated headers cannot be detected');
  const lines: NodeJS.Dict<string[]> = Object.create(null) as NodeJS.Dict<string[]>;
  for (let index = 0; index + 1 < raw.rawHeaders.length; index += 2) {
    const name = raw.rawHeaders[index]!.toLowerCase();
    (lines[name] ??= []).push(raw.rawHeaders[index + 1]!);
  }
  return lines;
}

/** RFC 6750 §2.2: the form-encoded body parameter; a JSON field of that name is only data. */
function formBodyHasAccessToken(request: AdapterRequest): boolean {
  const type = (request.raw ?? request).headers['content-type'] ?? '';
  const body = request.body;
  return type.toLowerCase().startsWith('application/x-www-form-urlencoded') && typeof body === 'object' && body !== null && Object.hasOwn(body, 'access_token');
}

/** E15, E23: a rotated nonce goes out once, and a response that carries one is not cached. */
function sendNonce(response: AdapterResponse, nonce: string): void {
  response.header('DPoP-Nonce', nonce);
  response.header('Cache-Control', 'no-store');
}

export async function verifyHttpRequest(
  verifier: DpopVerifier,
  request: AdapterRequest,
  response: AdapterResponse,
  policy: BindingPolicy,
): Promise<DpopVerification> {
  const verification = await verifier.verify(toDpopRequest(request, policy));
  if (verification.nonce !== undefined) sendNonce(response, verification.nonce);
  return verification;
}

/**
 * E22, E23: the challenge and headers of a refusal, set on the response before the exception
 * unwinds, so Nest's own exception layer sends them with the body on either adapter. A route that
 * accepts unbound tokens as Bearer names both schemes it supports, DPoP first, in one field value
 * (RFC 9449 §7.2: "Section 11.6.1 of [RFC9110] allows a protected resource to indicate support for
 * multiple authentication schemes (i.e., Bearer and DPoP) with the WWW-Authenticate header field").
 */
export function prepareHttpRefusal(error: BindingError, algorithms: readonly string[], response: AdapterResponse, policy?: BindingPolicy): object {
  if (error.status === 503) {
    response.header('Retry-After', '1');
  } else {
    const missing = error.type === 'missing_credentials';
    const dpop = dpopChallenge(algorithms, missing ? undefined : error);
    response.header('WWW-Authenticate', policy?.unboundTokens === 'accept-as-bearer' ? `${dpop}, Bearer` : dpop);
  }
  if (error.nonce !== undefined) sendNonce(response, error.nonce);
  if (error.type === 'missing_credentials') return { error_description: 'a DPoP-bound access token is required' };
  return { error: error.code, error_description: error.message };
}
