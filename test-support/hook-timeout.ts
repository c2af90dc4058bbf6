/**
 * The timeout of every beforeAll/afterAll/beforeEach/afterEach that starts or stops a process, a
 * fabric (nats-server and its provisioning), a Nest app or a browser. Jest's default of 5 s, or
 * even the e2e project's 60 s, is missed by a busy 2-core machine starting a fabric and four
 * processes (issue 14); pass it explicitly as the hook's third argument so a reader sees the
 * budget where the work is: `beforeAll(async () => {...}, PROCESS_HOOK_TIMEOUT_MS)`.
 */
export const PROCESS_HOOK_TIMEOUT_MS = 120_000; // milliseconds
