import { readFile } from 'node:fs/promises';
import { SnapshotError } from './errors.js';
import { parseSnapshot } from './snapshotSchema.js';
import type { ComplianceSnapshot, SnapshotSource } from './snapshot.js';

/**
 * Snapshots from a JSON file (for example one saved from the dashboard's
 * `/api/snapshot`). The file is read again on every call, so a dashboard or
 * `/metrics` endpoint follows whoever rewrites it.
 */
export class FileSnapshotSource implements SnapshotSource {
  constructor(readonly path: string) {}

  async getSnapshot(): Promise<ComplianceSnapshot> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message);
      throw new SnapshotError(`cannot read snapshot file ${this.path}: ${why}`, this.path, { cause: err });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new SnapshotError(`snapshot file ${this.path} is not valid JSON: ${(err as Error).message}`, this.path, {
        cause: err,
      });
    }
    return parseSnapshot(value, this.path);
  }
}
