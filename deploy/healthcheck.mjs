/**
 * Container health checks for docker-compose.yml, in Node because the runtime image has no curl:
 *
 *   node deploy/healthcheck.mjs http <url>     healthy when the URL answers 2xx within 2 s
 *   node deploy/healthcheck.mjs nats [port]    healthy when this container holds an established
 *                                              TCP connection to a broker on that port (4222)
 *   node deploy/healthcheck.mjs renewer <file> healthy when the renewer's status file is fresh and
 *                                              no certificate's last renewal has failed
 *
 * The second is for the NATS-only services (sts, orders, inventory), which listen on no port: a
 * service that is up keeps its connection to the broker open, and one that lost it is reconnecting.
 * It reads /proc/net/tcp and /proc/net/tcp6, which show this container's network namespace only.
 * Exit 0 healthy, 1 not.
 */
import { readFileSync } from 'node:fs';

const TIMEOUT_MS = 2_000;
const ESTABLISHED = '01'; // TCP state in /proc/net/tcp

async function http(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  await response.body?.cancel();
  return response.ok;
}

function natsConnection(port) {
  const remotePort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((table) => {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      return false;
    }
    // Columns: sl local_address rem_address st ...; addresses are HEXIP:HEXPORT.
    return text
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .some((columns) => columns[2]?.endsWith(`:${remotePort}`) && columns[3] === ESTABLISHED);
  });
}

/** The renewer rewrites its status every 10 s (scripts/nats/renewer-service.ts); three beats missed is down. */
const RENEWER_STALE_MS = 30_000;

function renewer(file) {
  const status = JSON.parse(readFileSync(file, 'utf8'));
  if (Date.now() - Date.parse(status.at) > RENEWER_STALE_MS) throw new Error(`${file} is stale (${status.at})`);
  const failing = Object.entries(status.leaves ?? {}).filter(([, leaf]) => leaf.lastError !== undefined && leaf.consecutiveFailures > 0);
  if (failing.length > 0) throw new Error(`renewals failing: ${failing.map(([name, leaf]) => `${name} (${leaf.lastError})`).join(', ')}`);
  return true;
}

const [mode, argument] = process.argv.slice(2);
let healthy = false;
try {
  if (mode === 'http' && argument !== undefined) healthy = await http(argument);
  else if (mode === 'nats') healthy = natsConnection(Number(argument ?? 4222));
  else if (mode === 'renewer' && argument !== undefined) healthy = renewer(argument);
  else console.error('usage: healthcheck.mjs http <url> | nats [port] | renewer <status file>');
} catch (error) {
  console.error(`unhealthy: ${error instanceof Error ? error.message : String(error)}`);
}
process.exit(healthy ? 0 : 1);
