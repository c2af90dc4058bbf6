import { execFileSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A network namespace of this test's own, joined to the host by one veth pair on a private /30
 * (10.213.<n>.0/30, n from the pid): the host end is `hostAddress`, the namespace end
 * `namespaceAddress`. A process started through `wrapper()` runs inside it, so it reaches the
 * host only over the pair, and `cut()` / `heal()` take the pair down and up: a network partition
 * of that process alone, with nothing but these two addresses involved. Needs root (CAP_NET_ADMIN)
 * and iproute2; `available()` says whether this machine allows it, and why not.
 */
export class NetworkNamespace {
  readonly name: string;
  readonly hostAddress: string;
  readonly namespaceAddress: string;
  readonly #hostLink: string;
  readonly #namespaceLink: string;

  constructor(id = process.pid) {
    const subnet = id % 250;
    this.name = `estate-part-${id}`;
    this.#hostLink = `esth${id % 100_000}`;
    this.#namespaceLink = `estn${id % 100_000}`;
    this.hostAddress = `10.213.${subnet}.1`;
    this.namespaceAddress = `10.213.${subnet}.2`;
  }

  /** Undefined when namespaces can be made here; otherwise the reason (not root, no `ip`, a sandbox refusing it). */
  static available(): string | undefined {
    const probe = `estate-probe-${process.pid}`;
    try {
      execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
      return undefined;
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      return `ip netns add refused: ${stderr || (error instanceof Error ? error.message : String(error))}`;
    }
  }

  create(): void {
    const ip = (...args: string[]): void => {
      execFileSync('ip', args, { stdio: 'pipe' });
    };
    ip('netns', 'add', this.name);
    ip('link', 'add', this.#hostLink, 'type', 'veth', 'peer', 'name', this.#namespaceLink);
    ip('link', 'set', this.#namespaceLink, 'netns', this.name);
    ip('addr', 'add', `${this.hostAddress}/30`, 'dev', this.#hostLink);
    ip('link', 'set', this.#hostLink, 'up');
    ip('netns', 'exec', this.name, 'ip', 'addr', 'add', `${this.namespaceAddress}/30`, 'dev', this.#namespaceLink);
    ip('netns', 'exec', this.name, 'ip', 'link', 'set', this.#namespaceLink, 'up');
    ip('netns', 'exec', this.name, 'ip', 'link', 'set', 'lo', 'up');
  }

  /** A script that runs `binary` inside the namespace with the arguments it is given (exec: same pid). */
  async wrapper(dir: string, binary: string): Promise<string> {
    const path = join(dir, `in-${this.name}.sh`);
    await writeFile(path, `#!/bin/sh\nexec ip netns exec ${this.name} ${binary} "$@"\n`);
    await chmod(path, 0o700);
    return path;
  }

  /** The partition: the pair goes down; established connections hang, as across a failed switch. */
  cut(): void {
    execFileSync('ip', ['link', 'set', this.#hostLink, 'down'], { stdio: 'pipe' });
  }

  heal(): void {
    execFileSync('ip', ['link', 'set', this.#hostLink, 'up'], { stdio: 'pipe' });
  }

  /** Deleting the namespace deletes the pair too. Safe to call twice. */
  destroy(): void {
    try {
      execFileSync('ip', ['netns', 'del', this.name], { stdio: 'pipe' });
    } catch {
      // already gone
    }
    try {
      execFileSync('ip', ['link', 'del', this.#hostLink], { stdio: 'pipe' });
    } catch {
      // went with the namespace
    }
  }
}
