import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { MonitorStateError } from './errors.js';

/**
 * Write JSON through a temporary file and a rename, so a crash or a parallel
 * reader never sees half a file. Returns the absolute path written.
 */
export async function writeJsonFile(path: string, value: unknown): Promise<string> {
  const target = resolve(path);
  try {
    await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`, { mkdirs: true, mode: 0o600 });
    return target;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    throw new MonitorStateError(path, `cannot write: ${(cause as Error).message}`, { cause });
  }
}

/** Read and parse a JSON file; errors name the file and, for bad JSON, the parser's position. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MonitorStateError(path, `cannot read: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MonitorStateError(path, `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
