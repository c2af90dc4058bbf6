import { findFreePort } from '../scripts/nats/free-port.js';

/** A port on 127.0.0.1 that was free a moment ago (URLs must name it before a server starts). */
export function freePort(): Promise<number> {
  return findFreePort('127.0.0.1');
}
