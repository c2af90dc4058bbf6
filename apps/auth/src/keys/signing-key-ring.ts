/**
 * The authorization server's signing keys: one current key that signs, and retired keys whose
 * public halves stay in the JWKS until every token they signed has expired, so a resource server
 * that refreshes its key set on an unknown `kid` (E18) never meets a token it cannot verify.
 *
 * Keys are ES256 (P-256), the first algorithm of the estate's allow-list. The `kid` is the key's
 * RFC 7638 thumbprint, so it is stable and unique without a counter. Keys live in memory, or in a
 * 0600 JSON file when one is configured (never committed: the folder is git-ignored).
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { readPrivateFile, writePrivateFile } from '#estate';

export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  readonly kid: string;
  /** Private JWK with `kid`, `alg` and `use`, as oidc-provider's `jwks` option expects. */
  readonly jwk: Readonly<JWK>;
  readonly createdAt: number; // epoch seconds
  /** When it stopped signing; absent for the current key. */
  readonly retiredAt?: number; // epoch seconds
}

interface KeyFile {
  readonly keys: readonly SigningKey[];
}

type Now = () => number; // epoch seconds

const epochSeconds: Now = () => Math.floor(Date.now() / 1000);

async function generateSigningKey(now: number): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return Object.freeze({ kid, jwk: Object.freeze({ ...jwk, kid, alg: SIGNING_ALG, use: 'sig' }), createdAt: now });
}

// A key file is trusted input only up to a point: check shape and that each key imports, so a
// corrupt file fails at start with its path in the message rather than at the first signature.
async function parseKeyFile(path: string, text: string): Promise<SigningKey[]> {
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(text) as KeyFile;
  } catch (cause) {
    throw new Error(`${path} is not JSON`, { cause });
  }
  const keys = Array.isArray(parsed?.keys) ? parsed.keys : [];
  if (keys.length === 0) throw new Error(`${path} holds no keys`);
  const current = keys.filter((key) => key.retiredAt === undefined);
  if (current.length !== 1) throw new Error(`${path} must hold exactly one current (not retired) key`);
  for (const key of keys) {
    const { jwk } = key;
    if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string' || jwk.kid !== key.kid) {
      throw new Error(`${path}: key ${String(key.kid)} is not a private P-256 JWK with a matching kid`);
    }
    await importJWK(jwk, SIGNING_ALG);
  }
  return [...current, ...keys.filter((key) => key.retiredAt !== undefined)].map((key) => Object.freeze({ ...key }));
}

export class SigningKeyRing {
  #keys: SigningKey[];

  private constructor(
    keys: SigningKey[],
    private readonly file: string | undefined,
    /** How long a retired key stays published: the longest lifetime of a token it signed. */
    private readonly retentionSeconds: number,
    private readonly now: Now,
  ) {
    this.#keys = keys;
  }

  /** Loads the key file (or generates a first key), dropping retired keys past retention. */
  static async open(file: string | undefined, retentionSeconds: number, now: Now = epochSeconds): Promise<SigningKeyRing> {
    const text = file === undefined ? undefined : await readPrivateFile(file);
    const keys = text === undefined ? [await generateSigningKey(now())] : await parseKeyFile(file!, text);
    const ring = new SigningKeyRing(keys, file, retentionSeconds, now);
    ring.prune();
    if (file !== undefined) await ring.save();
    return ring;
  }

  get current(): SigningKey {
    return this.#keys[0]!;
  }

  /** Current key first: oidc-provider signs with the first key that fits an algorithm. */
  get keys(): readonly SigningKey[] {
    return [...this.#keys];
  }

  /** A new current key; the old one keeps verifying until its tokens have expired. */
  async rotate(): Promise<SigningKey> {
    const now = this.now();
    const next = await generateSigningKey(now);
    const retired = this.#keys.map((key) => (key.retiredAt === undefined ? Object.freeze({ ...key, retiredAt: now }) : key));
    this.#keys = [next, ...retired];
    this.prune();
    await this.save();
    return next;
  }

  /** Removes retired keys past retention; true when the set changed. */
  prune(): boolean {
    const now = this.now();
    const kept = this.#keys.filter((key) => key.retiredAt === undefined || key.retiredAt + this.retentionSeconds > now);
    const changed = kept.length !== this.#keys.length;
    this.#keys = kept;
    return changed;
  }

  /** Epoch seconds at which the next retired key may be removed, if any is waiting. */
  nextRemovalAt(): number | undefined {
    const times = this.#keys.flatMap((key) => (key.retiredAt === undefined ? [] : [key.retiredAt + this.retentionSeconds]));
    return times.length === 0 ? undefined : Math.min(...times);
  }

  async save(): Promise<void> {
    if (this.file === undefined) return;
    const body: KeyFile = { keys: this.#keys };
    await writePrivateFile(this.file, `${JSON.stringify(body, null, 2)}\n`);
  }
}
