import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MonitorStateError } from './errors.js';

/**
 * Write JSON through a temporary file and a rename, so a crash or a parallel
 * reader never sees half a file. Returns the absolute path written.
 */
export async function writeJsonFile(path: string, value: unknown): Promise<string> {
  const target = resolve(path);
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, target);
    return target;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new MonitorStateError(path, `cannot write: ${(error as Error).message}`, { cause: error });
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
