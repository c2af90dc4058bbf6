/**
 * Reading and writing files that hold private keys or tokens (the auth server's signing keys, the
 * mobile client's DPoP key and tokens standing in for a platform keystore). They are created
 * with mode 0600 in a 0700 folder, replaced atomically (write a sibling, then rename) so a crash never leaves half a key
 * set, and refused on read when group or others may read them, as ssh refuses such key files.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_FOLDER = 0o700;
const GROUP_OR_OTHER_BITS = 0o077;

export class PrivateFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrivateFileError';
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readPrivateFile(path: string): Promise<string | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PrivateFileError(`cannot read ${path}`, { cause });
  }
  if ((mode & GROUP_OR_OTHER_BITS) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new PrivateFileError(`${path} holds secrets but has mode ${octal}; run: chmod 600 ${path}`);
  }
  return readFile(path, 'utf8');
}

export async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: OWNER_ONLY_FOLDER });
  const sibling = join(dirname(path), `.${randomUUID()}.tmp`);
  try {
    // 'wx': the sibling is always new, so `mode` applies (a umask can only narrow it).
    await writeFile(sibling, text, { mode: OWNER_ONLY_FILE, flag: 'wx' });
    await rename(sibling, path);
  } catch (cause) {
    await rm(sibling, { force: true });
    throw new PrivateFileError(`cannot write ${path}`, { cause });
  }
}
