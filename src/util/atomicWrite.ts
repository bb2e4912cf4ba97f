import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Writing a file failed; the message names the file and the cause. Nothing half-written is left behind. */
export class FileWriteError extends Error {
  readonly isFileWriteError = true;
  readonly path: string;
  constructor(path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const why =
      code === 'ENOENT'
        ? 'its directory does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOSPC'
            ? 'no space left on the device'
            : code === 'EISDIR'
              ? 'it is a directory'
              : code === 'EROFS'
                ? 'the filesystem is read-only'
                : ((cause as Error | undefined)?.message ?? String(cause));
    super(`cannot write ${path}: ${why}`, { cause });
    this.name = 'FileWriteError';
    this.path = path;
  }
}

/**
 * Writes a file atomically: a temporary file in the same directory, fsync,
 * then rename over the target. A reader (or a crash) sees the old file or the
 * new one, never a part. `mkdirs` creates missing parent directories.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mkdirs?: boolean; mode?: number } = {},
): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    if (options.mkdirs) await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new FileWriteError(path, err);
  }
}
