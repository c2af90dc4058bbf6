import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Called before each file is written; throwing fails the write as the file system would. Tests
 * inject faults through it (as root, a read-only folder is no fault at all).
 */
export type BeforeWriteHook = (path: string) => void | Promise<void>;

export interface AtomicWriteOptions {
  readonly mode: number;
  readonly beforeWrite?: BeforeWriteHook;
}

/**
 * Replaces `path` so that a reader sees the old content or the new, never a part: the content
 * goes to a temporary file in the same folder (rename is atomic only within one file system),
 * is fsynced (so a crash cannot leave the rename pointing at unwritten blocks), then renamed
 * over `path`. The temporary name starts with a dot and ends in `.tmp`, so a folder watcher
 * that looks for `*.crt`/`*.key` never picks it up; on failure it is removed.
 */
export async function writeFileAtomically(path: string, content: string, options: AtomicWriteOptions): Promise<void> {
  await options.beforeWrite?.(path);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // 'wx': never follow or reuse a file someone else put there; the mode applies from creation,
  // so a key is never readable by others, not even for a moment.
  const handle = await open(temporary, 'wx', options.mode);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      await handle.chmod(options.mode); // the umask may have narrowed the creation mode
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
