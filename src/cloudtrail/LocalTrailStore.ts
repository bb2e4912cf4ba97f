import { logDebug } from '../logging/debugLog.js';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { CloudTrailErrorKind, TrailObjectMissingError, TrailSourceError } from './errors.js';
import type { TrailListing, TrailObject, TrailStore } from './trailStore.js';

/** Trail log files copied to a local directory (`aws s3 sync`, an evidence bundle). */
export class LocalTrailStore implements TrailStore {
  readonly location: string;
  readonly rootSegments: readonly string[];
  readonly #root: string;

  constructor(directory: string) {
    this.location = directory;
    this.#root = resolve(directory);
    this.rootSegments = this.#root.split(sep).filter(Boolean);
  }

  async check(): Promise<void> {
    let info;
    try {
      info = await stat(this.#root);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'does not exist'
          : code === 'EACCES'
            ? 'cannot be read (permission denied)'
            : `cannot be read (${code ?? String(err)})`;
      throw new TrailSourceError(`trail directory ${this.location} ${why}`, this.location, CloudTrailErrorKind.SOURCE, {
        cause: err,
      });
    }
    if (!info.isDirectory())
      throw new TrailSourceError(
        `${this.location} is not a directory of trail log files`,
        this.location,
        CloudTrailErrorKind.SOURCE,
      );
  }

  async list(prefix: string): Promise<TrailListing> {
    const dir = join(this.#root, ...prefix.split('/').filter(Boolean));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { dirs: [], files: [] };
      throw new TrailSourceError(
        `cannot list ${dir}: ${code ?? String(err)}`,
        this.location,
        CloudTrailErrorKind.SOURCE,
        { cause: err },
      );
    }
    const dirs: string[] = [];
    const files: TrailObject[] = [];
    for (const e of entries) {
      if (e.isDirectory()) dirs.push(e.name);
      else if (e.isFile()) files.push({ key: `${prefix}${e.name}`, name: join(dir, e.name), size: undefined });
    }
    dirs.sort();
    files.sort((a, b) => (a.key < b.key ? -1 : 1));
    return { dirs, files };
  }

  localPath(object: TrailObject): string {
    return join(this.#root, ...object.key.split('/'));
  }

  readSmall(object: TrailObject, maxBytes: number): Buffer | undefined {
    const path = join(this.#root, ...object.key.split('/'));
    let fd;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR')
        throw new TrailObjectMissingError(path, this.location, { cause: err });
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      if (size > maxBytes) return undefined;
      // One read more than the size: a file still growing is read to its end, or left to the stream.
      const buf = Buffer.allocUnsafe(size + 1);
      let got = 0;
      for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, null);
      if (got > size) return undefined;
      logDebug('evidence file read', { file: object.name, bytes: object.size });
      return buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }

  async open(object: TrailObject): Promise<Readable> {
    const path = join(this.#root, ...object.key.split('/'));
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR')
        throw new TrailObjectMissingError(path, this.location, { cause: err });
      throw err;
    }
    logDebug('evidence file read', { file: object.name, bytes: object.size });
    return createReadStream(path, { fd: handle, highWaterMark: 256 * 1024 });
  }
}
