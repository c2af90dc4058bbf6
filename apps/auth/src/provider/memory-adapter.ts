/**
 * oidc-provider's storage (sessions, interactions, codes, grants, refresh tokens, DPoP proof
 * `jti`s) in this process's memory. One `ProviderMemory` outlives every Provider instance that
 * key rotation builds, so a login or a refresh token survives a rotation.
 *
 * Demo scope: one process, lost on restart. A deployment with replicas plugs in a shared adapter
 * (Redis, SQL) with the same seven methods; DPoP replay detection (E17's counterpart at the
 * token endpoint) is only as good as that sharing.
 *
 * Does not cap memory beyond dropping expired entries; a busy deployment needs a real store.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  readonly payload: AdapterPayload;
  readonly expiresAt: number; // epoch ms; Infinity when the model has no expiry
}

const SWEEP_EVERY_WRITES = 500;

export class ProviderMemory {
  readonly entries = new Map<string, Entry>();
  /** grantId -> keys of the tokens issued under it, for revokeByGrantId. */
  readonly grants = new Map<string, Set<string>>();
  /** secondary indexes: `${model}:uid:${uid}` / `${model}:userCode:${code}` -> key */
  readonly lookups = new Map<string, string>();
  #writes = 0;

  read(key: string): AdapterPayload | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  write(key: string, payload: AdapterPayload, expiresInSeconds: number | undefined): void {
    const expiresAt = expiresInSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + expiresInSeconds * 1000;
    this.entries.set(key, { payload, expiresAt });
    if (++this.#writes % SWEEP_EVERY_WRITES === 0) this.sweep();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const [index, key] of this.lookups) if (!this.entries.has(key)) this.lookups.delete(index);
    for (const [grantId, keys] of this.grants) {
      for (const key of keys) if (!this.entries.has(key)) keys.delete(key);
      if (keys.size === 0) this.grants.delete(grantId);
    }
  }
}

/** The adapter for one model name ("Session", "AccessToken", "ReplayDetection", ...). */
export class MemoryAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly memory: ProviderMemory,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    this.memory.write(key, payload, expiresIn);
    if (payload.grantId !== undefined) {
      const keys = this.memory.grants.get(payload.grantId) ?? new Set<string>();
      keys.add(key);
      this.memory.grants.set(payload.grantId, keys);
    }
    if (payload.uid !== undefined) this.memory.lookups.set(`${this.model}:uid:${payload.uid}`, key);
    if (payload.userCode !== undefined) this.memory.lookups.set(`${this.model}:userCode:${payload.userCode}`, key);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.memory.read(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const key = this.memory.lookups.get(`${this.model}:uid:${uid}`);
    return key === undefined ? undefined : this.memory.read(key);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const key = this.memory.lookups.get(`${this.model}:userCode:${userCode}`);
    return key === undefined ? undefined : this.memory.read(key);
  }

  // A consumed code or rotated refresh token stays readable, marked, so that its reuse is
  // detected and the whole grant revoked (RFC 9700 §4.14.2).
  async consume(id: string): Promise<void> {
    const key = this.key(id);
    const entry = this.memory.entries.get(key);
    if (entry !== undefined) {
      this.memory.entries.set(key, { ...entry, payload: { ...entry.payload, consumed: Math.floor(Date.now() / 1000) } });
    }
  }

  async destroy(id: string): Promise<void> {
    this.memory.entries.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.memory.grants.get(grantId) ?? []) this.memory.entries.delete(key);
    this.memory.grants.delete(grantId);
  }
}
