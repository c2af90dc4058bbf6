import { BUILD_PINNED_NATS_SERVER_COMMAND, PINNED_NATS_SERVER_VERSION } from './nats-server-release.js';

/**
 * Why no nats-server could be used. Each message names the pinned release and the command that
 * builds it, so the person reading it needs nothing else. These are set-up mistakes, thrown before
 * any server starts (STYLE.md: configuration errors never reach a client).
 */
const HOW_TO_GET_IT =
  `Build the pinned nats-server v${PINNED_NATS_SERVER_VERSION} (needs Go) from the project folder with ` +
  `\`${BUILD_PINNED_NATS_SERVER_COMMAND}\` (npm test and npm run estate do this themselves), ` +
  'or set NATS_SERVER_BIN to a v' + PINNED_NATS_SERVER_VERSION + ' binary.';

export class NatsServerMissingError extends Error {
  constructor(detail: string) {
    super(`nats-server is missing: ${detail}. ${HOW_TO_GET_IT}`);
    this.name = 'NatsServerMissingError';
  }
}

/** A binary that runs but is not the pinned release (e.g. Debian's 2.9.10). */
export interface RefusedNatsServer {
  readonly path: string;
  /** What `--version` said, parsed; undefined when it printed no version at all. */
  readonly version: string | undefined;
}

function describe(refused: RefusedNatsServer): string {
  return `${refused.path} (${refused.version === undefined ? 'no version' : `v${refused.version}`})`;
}

export class NatsServerVersionError extends Error {
  readonly refused: readonly RefusedNatsServer[];

  constructor(refused: readonly RefusedNatsServer[]) {
    super(
      `nats-server v${PINNED_NATS_SERVER_VERSION} is required (SECURITY.md T5); refused ${refused.map(describe).join(', ')}. ` +
        `${HOW_TO_GET_IT} NATS_SERVER_ALLOW_UNPINNED=1 runs another release anyway, for experiments only.`,
    );
    this.name = 'NatsServerVersionError';
    this.refused = refused;
  }
}

/** The pinned release could not be built: Go is missing, or `go install` failed. */
export class NatsServerBuildError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NatsServerBuildError';
  }
}

/** One loud line for a run on another release (NATS_SERVER_ALLOW_UNPINNED). */
export function unpinnedWarning(refused: RefusedNatsServer): string {
  return (
    `WARNING: running ${describe(refused)}, not the pinned nats-server v${PINNED_NATS_SERVER_VERSION}, ` +
    'because NATS_SERVER_ALLOW_UNPINNED is set. Its published advisories may apply (SECURITY.md T5); ' +
    `never use it beyond an experiment. Build the pinned one with \`${BUILD_PINNED_NATS_SERVER_COMMAND}\`.`
  );
}
