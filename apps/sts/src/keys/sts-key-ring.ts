import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { integerRangeProblem, type Clock } from '#binding/core';
import { readPrivateFile, writePrivateFile } from '#estate';

/** ES256: the first algorithm of every verifier's allow-list in the estate. */
export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  readonly kid: string;
  readonly alg: typeof SIGNING_ALG;
  readonly privateKey: CryptoKey;
  readonly publicJwk: Readonly<JWK>;
}

interface RingEntry extends SigningKey {
  /** The private JWK, kept only to persist the ring. */
  readonly privateJwk: Readonly<JWK>;
  /** Epoch seconds at which it stopped signing; undefined while current or next. */
  readonly retiredAt?: number;
}

/** The key file: private JWKs, 0600 (libs/estate private-file), never committed. */
interface KeyFile {
  readonly current: JWK;
  readonly next: JWK;
  readonly retired: readonly { readonly jwk: JWK; readonly retiredAt: number }[];
}

/**
 * The STS's signing keys, rotated without breaking tokens in flight:
 * - `current` signs;
 * - `next` is already published, so every verifier that fetches the key set between two rotations
 *   knows it before it signs anything (verifiers refetch on an unknown `kid` only after a cooldown,
 *   so a key that appears and signs at once could be refused for that long);
 * - retired keys stay published for `retentionSeconds` (the longest lifetime of a token they signed,
 *   plus leeway), so a token issued just before a rotation still verifies until it expires.
 * `rotate()` promotes `next`, retires `current`, creates a new `next` and drops retired keys past
 * retention. Keys are P-256, their `kid` the RFC 7638 thumbprint. With a key file (STS_KEYS_FILE)
 * the ring survives a restart, so tokens in flight outlive the STS process too; without one a
 * restart is an unannounced rotation, and verifiers refuse new tokens until their cooldown allows a
 * refetch. One STS replica per file: replicas would have to share the ring (e.g. a secret store).
 */
export class StsKeyRing {
  #current: RingEntry;
  #next: RingEntry;
  #retired: RingEntry[];
  #verification: JWTVerifyGetKey;

  private constructor(
    current: RingEntry,
    next: RingEntry,
    retired: RingEntry[],
    private readonly retentionSeconds: number,
    private readonly clock: Clock,
    private readonly file: string | undefined,
  ) {
    this.#current = current;
    this.#next = next;
    this.#retired = retired;
    this.#verification = createLocalJWKSet(this.jwks());
  }

  /** A ring in memory only. */
  static async create(retentionSeconds: number, clock: Clock): Promise<StsKeyRing> {
    return StsKeyRing.open(undefined, retentionSeconds, clock);
  }

  /** Loads the ring from `file` (or creates and saves one), dropping retired keys past retention. */
  static async open(file: string | undefined, retentionSeconds: number, clock: Clock): Promise<StsKeyRing> {
    const problem = integerRangeProblem(retentionSeconds, 1);
    if (problem !== undefined) throw new Error(`key retentionSeconds ${problem}`);
    const text = file === undefined ? undefined : await readPrivateFile(file);
    const ring =
      text === undefined
        ? new StsKeyRing(await generateSigningKey(), await generateSigningKey(), [], retentionSeconds, clock, file)
        : await StsKeyRing.parse(file!, text, retentionSeconds, clock);
    ring.prune();
    await ring.save();
    return ring;
  }

  get current(): SigningKey {
    return this.#current;
  }

  /** The public keys every verifier needs (RFC 7517 §5): next, current, then retired ones. */
  jwks(): JSONWebKeySet {
    return { keys: [this.#next, this.#current, ...this.#retired].map((entry) => ({ ...entry.publicJwk })) };
  }

  /** The same keys as a jose resolver, for verifying this STS's own tokens as subject tokens. */
  readonly verificationKeys: JWTVerifyGetKey = (header, token) => this.#verification(header, token);

  async rotate(): Promise<SigningKey> {
    const next = await generateSigningKey();
    this.#retired = [{ ...this.#current, retiredAt: this.clock() }, ...this.#retired];
    this.#current = this.#next;
    this.#next = next;
    this.prune();
    await this.save();
    return this.#current;
  }

  private prune(): void {
    const now = this.clock();
    this.#retired = this.#retired.filter((entry) => entry.retiredAt! + this.retentionSeconds > now);
    this.#verification = createLocalJWKSet(this.jwks());
  }

  private async save(): Promise<void> {
    if (this.file === undefined) return;
    const body: KeyFile = {
      current: this.#current.privateJwk,
      next: this.#next.privateJwk,
      retired: this.#retired.map((entry) => ({ jwk: entry.privateJwk, retiredAt: entry.retiredAt! })),
    };
    await writePrivateFile(this.file, `${JSON.stringify(body, null, 2)}\n`);
  }

  /** A corrupt file fails at start with its path in the message, not at the first signature. */
  private static async parse(file: string, text: string, retentionSeconds: number, clock: Clock): Promise<StsKeyRing> {
    try {
      const parsed = JSON.parse(text) as KeyFile;
      const retired = await Promise.all((parsed.retired ?? []).map(async ({ jwk, retiredAt }) => ({ ...(await importSigningKey(jwk)), retiredAt })));
      return new StsKeyRing(await importSigningKey(parsed.current), await importSigningKey(parsed.next), retired, retentionSeconds, clock, file);
    } catch (cause) {
      throw new Error(`${file} does not hold an STS key ring (current, next, retired private P-256 JWKs)`, { cause });
    }
  }
}

async function generateSigningKey(): Promise<RingEntry> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  return importSigningKey(await exportJWK(privateKey));
}

async function importSigningKey(privateJwk: JWK): Promise<RingEntry> {
  if (privateJwk?.kty !== 'EC' || privateJwk.crv !== 'P-256' || typeof privateJwk.d !== 'string') throw new Error('not a private P-256 JWK');
  const { kty, crv, x, y } = privateJwk;
  const publicPart = { kty, crv, x, y };
  const kid = await calculateJwkThumbprint(publicPart, 'sha256');
  const privateKey = (await importJWK({ ...publicPart, d: privateJwk.d }, SIGNING_ALG)) as CryptoKey;
  return Object.freeze({
    kid,
    alg: SIGNING_ALG,
    privateKey,
    privateJwk: Object.freeze({ ...publicPart, d: privateJwk.d }),
    publicJwk: Object.freeze({ ...publicPart, kid, alg: SIGNING_ALG, use: 'sig' }),
  });
}
