import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { TextfileError } from './errors.js';

/**
 * Writes a file for node_exporter's textfile collector atomically: the text
 * goes to a hidden temporary file in the same directory, is flushed to disk,
 * then renamed over the target. A reader (or a crash, or `kill -9`) sees the
 * old complete file or the new complete file, never half of one. The
 * temporary name does not end in `.prom`, so the collector never reads it.
 *
 * @throws {TextfileError} `TEXTFILE_DIR_MISSING` when the directory does not
 * exist (it is not created: a typo should not grow a directory tree);
 * `TEXTFILE_WRITE_FAILED` for any other failure. Nothing is left behind.
 *
 * @example
 * await writeTextfile('/var/lib/node_exporter/textfile/inventag.prom', await metrics.render());
 */
export async function writeTextfile(path: string, text: string): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) {
    throw new TextfileError('TEXTFILE_DIR_MISSING', `cannot write ${path}: the directory ${dir} does not exist`, path);
  }
  try {
    await writeFileAtomic(target, text.endsWith('\n') ? text : `${text}\n`);
  } catch (err) {
    // writeFileAtomic names the path; keep this module's error code and the cause's own wording.
    const cause = (err as { cause?: unknown }).cause ?? err;
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new TextfileError('TEXTFILE_WRITE_FAILED', `cannot write ${path}: ${reason}`, path, { cause });
  }
}
