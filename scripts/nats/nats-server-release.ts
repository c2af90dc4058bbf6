/**
 * The one nats-server release the estate runs: scripts, tests, CI and compose alike (SECURITY.md
 * T5). 2.15.3 is the newest release on the Go module proxy (2.14.10 is the newest 2.14). Debian
 * bookworm's 2.9.10 is refused: the nats-io advisories list it as affected by subscribe-permission
 * bypasses (wildcard overlap, queue subscribe with deny rules), CVE-2025-30215 (JetStream API
 * access control), a stream-restore bypass, an mTLS DN-mapping bypass and pre-auth crashes on the
 * websocket, MQTT and leafnode listeners. Change the pin here and in docker-compose.yml together.
 */
export const PINNED_NATS_SERVER_VERSION = '2.15.3';

/** The Go module nats-server is built from (`go install <module>@v<version>`). */
export const NATS_SERVER_MODULE = 'github.com/nats-io/nats-server/v2';

/** `github.com/nats-io/nats-server/v2@v2.15.3`: what `go install` is given. */
export const PINNED_NATS_SERVER_MODULE_QUERY = `${NATS_SERVER_MODULE}@v${PINNED_NATS_SERVER_VERSION}`;

/** The project-local, git-ignored folder the pinned binary is built into. */
export const PROJECT_BIN_DIR = '.bin';

/** The command a person runs from the project folder to build the pinned binary. */
export const BUILD_PINNED_NATS_SERVER_COMMAND = `GOBIN=$PWD/${PROJECT_BIN_DIR} go install ${PINNED_NATS_SERVER_MODULE_QUERY}`;

/** `nats-server --version` prints `nats-server: v2.15.3`; returns `2.15.3`, or undefined for anything else. */
export function parseNatsServerVersion(output: string): string | undefined {
  return /^nats-server: v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\s*$/.exec(output.trim())?.[1];
}
