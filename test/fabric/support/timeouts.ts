/**
 * For every beforeAll that starts a process (a nats-server, JetStream provisioning, a Nest app):
 * generous, because the machine is shared and slow to start things, and never jest's default.
 * Nothing here measures speed; it only bounds a hang.
 */
export const PROCESS_START_TIMEOUT_MS = 60_000; // milliseconds
