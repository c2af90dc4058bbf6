import { COVERED_HEADERS } from '../hop/check-other-token-hashes.js';
import { safely, type OutboundObserver, type OutboundOutcome, type OutboundRequestInfo } from '../observe/binding-observer.js';
import { OutboundRefusedError, OutboundUnavailableError } from './outbound-errors.js';

/**
 * Runs one outbound request under the observer (O1, O2): asks it for the trace context to send
 * (only the COVERED_HEADERS, lower-case, non-empty: the hop proof covers each in `oth`), hands
 * those to `send`, and tells the observer how the request ended, sorted as the transport sorts it.
 * Without an observer, `send` gets no headers and nothing else happens. What the observer throws is
 * dropped: observing never changes a request's outcome.
 */
export async function observeRequest<T>(
  observer: OutboundObserver | undefined,
  info: OutboundRequestInfo,
  send: (otherTokens: Readonly<Record<string, string>> | undefined) => Promise<T>,
): Promise<T> {
  if (observer?.request === undefined) return send(undefined);
  const observation = safely(() => observer.request!(info));
  const end = (outcome: OutboundOutcome): void => void safely(() => observation?.end(outcome));
  try {
    const result = await send(coveredHeadersOf(observation?.headers));
    end({ result: 'ok' });
    return result;
  } catch (error) {
    if (error instanceof OutboundRefusedError) end({ result: 'refused', code: error.code, ...(error.type === undefined ? {} : { type: error.type }) });
    else if (error instanceof OutboundUnavailableError) end({ result: 'unavailable', type: error.reason });
    else end({ result: 'unavailable' });
    throw error;
  }
}

function coveredHeadersOf(headers: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined {
  if (headers === undefined) return undefined;
  const covered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (COVERED_HEADERS.includes(lower) && typeof value === 'string' && value !== '') covered[lower] = value;
  }
  return Object.keys(covered).length === 0 ? undefined : covered;
}
