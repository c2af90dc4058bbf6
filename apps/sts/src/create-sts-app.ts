import { Logger, type INestMicroservice, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createAccessTokenVerifier, type AccessTokenVerifier, type Clock } from '#binding/core';
import { createRemoteKeySet, discoverRemoteKeySet } from '#binding/dpop';
import { createCallerProofVerifier } from '#binding/hop';
import { estateServerNats, openEstateLink, openHopReplayStore, startEstateOperations, STS_ISSUER, workloadTelemetry, type EstateLink, type EstateLinkOptions, type OperationsServer } from '#estate';
import { createTokenExchange } from './exchange/token-exchange.js';
import type { SubjectTokenVerifiers } from './exchange/verify-subject-token.js';
import { serveJwks } from './jwks-responder.js';
import { StsKeyRing } from './keys/sts-key-ring.js';
import type { StsConfig } from './sts-config.js';
import { StsModule } from './sts.module.js';

/** Verifiers accept tokens up to 5 s past `exp` (DEFAULT_CLOCK_TOLERANCE_S); a little more margin. */
const KEY_RETENTION_MARGIN_S = 30; // seconds
/** Epoch seconds, whole (RFC 7519 NumericDate as the STS writes it): the clock unless a test passes one. */
const wholeSeconds: Clock = () => Math.floor(Date.now() / 1000);

export interface StsApp {
  /** Not listening yet: call `listen()`. `close()` closes everything the STS opened. */
  readonly app: INestMicroservice;
  /** The signing keys, for an operator's (or a test's) immediate rotation. */
  readonly keys: StsKeyRing;
  readonly link: EstateLink;
  /** The operations server (/healthz, /readyz) when OPS_PORT is set. */
  readonly operations: OperationsServer | undefined;
}

export interface StsAppOptions {
  readonly logger?: false | LogLevel[];
  readonly clock?: Clock;
  /** How the certificate files are watched; tests shorten the poll. */
  readonly identity?: EstateLinkOptions['identity'];
}

/**
 * Builds the STS once from its configuration: its link to the fabric (revocations, estate CA; its
 * certificate, trust bundle and connections follow renewals, L3/L4: `sts.jwks` moves with the link),
 * its key ring served on `sts.jwks` and rotated on a timer, the external issuer's key set, the
 * exchange, and the Nest microservice that answers `sts.exchange`. Used by main.ts and the tests.
 */
export async function createStsApp(config: StsConfig, options: StsAppOptions = {}): Promise<StsApp> {
  const clock = options.clock ?? wholeSeconds;
  const logger = new Logger('Sts');
  const link = await openEstateLink(config.estate, {
    onRevocationProblem: (problem) => logger.error(`revocation feed: ${problem.kind}`),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  });
  let operations: OperationsServer | undefined;
  try {
    const keys = await StsKeyRing.open(config.keysFile, config.tokenTtlSeconds + KEY_RETENTION_MARGIN_S, clock);
    const jwks = serveJwks(link.connection, keys);
    await link.connection.flush();
    const rotation = config.keyRotationSeconds === 0 ? undefined : setInterval(() => {
      keys.rotate().then((key) => {
        logger.log(`signing key rotated, kid ${key.kid}`);
        // O3: a privileged action, one audit line (the kid only; never key material).
        workloadTelemetry('sts').audit.record('signing_key_rotated', { caller: STS_ISSUER, kid: key.kid });
      }, (error: unknown) => logger.error('key rotation failed', error instanceof Error ? error.stack : String(error)));
    }, config.keyRotationSeconds * 1000);
    rotation?.unref();

    const replay = await openHopReplayStore(link);
    const exchange = createTokenExchange({
      issuer: STS_ISSUER,
      callerProofs: createCallerProofVerifier({ audience: STS_ISSUER, certificates: link.certificates, replay, revocations: link.revocations, clock }),
      policy: config.policy,
      subjectTokens: await subjectTokenVerifiers(config, keys),
      revocations: link.revocations,
      keys,
      ttlSeconds: config.tokenTtlSeconds,
      clock,
    });
    operations = await startEstateOperations(link);
    const ops = operations;
    const closers = [() => replay.close(), () => link.close(), () => jwks.unsubscribe(), () => clearInterval(rotation), () => ops?.close()];
    const app = await NestFactory.createMicroservice(StsModule.register(exchange, closers), {
      strategy: estateServerNats(link),
      logger: options.logger ?? ['error', 'warn', 'log'],
    });
    return { app, keys, link, operations };
  } catch (error) {
    await operations?.close();
    await link.close();
    throw error;
  }
}

/**
 * The external issuer's tokens verified as the edge verifies them (E18), its keys from AUTH_JWKS_URI
 * or discovered; the STS's own tokens against its key ring, one verifier per audience (workload).
 */
async function subjectTokenVerifiers(config: StsConfig, keys: StsKeyRing): Promise<SubjectTokenVerifiers> {
  const allowHttp = config.externalIssuer.startsWith('http:');
  const externalKeys =
    config.externalJwksUri === undefined
      ? (await discoverRemoteKeySet(config.externalIssuer, { allowHttp, cooldownMs: config.jwksCooldownMs })).keys
      : createRemoteKeySet(config.externalJwksUri, { allowHttp, cooldownMs: config.jwksCooldownMs });
  const external = createAccessTokenVerifier({ issuer: config.externalIssuer, audience: config.externalAudience, keys: externalKeys });
  const internal = new Map<string, AccessTokenVerifier>();
  return {
    external,
    internalFor(audience: string): AccessTokenVerifier {
      let verifier = internal.get(audience);
      if (verifier === undefined) {
        // Audiences are callers' SPIFFE IDs from validated certificates: a handful, never client input.
        verifier = createAccessTokenVerifier({ issuer: STS_ISSUER, audience, keys: keys.verificationKeys });
        internal.set(audience, verifier);
      }
      return verifier;
    },
  };
}
