import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore as SourceStore } from '../../src/audit/index.js';
import { attempt, tempDir } from './helpers.js';

// The checkpoint thread runs only from the compiled build (a worker needs a .js module), so this loads dist/
// (npm run build first) as users do; the same session from source shows SQLite's own auto-checkpoint.
const { AuditStore: BuiltStore } = (await import(
  new URL('../../dist/audit/index.js', import.meta.url).href
)) as typeof import('../../src/audit/index.js');

const MiB = 2 ** 20;
const size = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

/** appendBatch of 1,000 entries until ~30 MiB of WAL were written; the largest WAL and database file sizes seen. */
function longSession(Store: typeof SourceStore, path: string): { maxWal: number; dbDuring: number; appended: number } {
  const store = Store.open({ path });
  let maxWal = 0;
  let appended = 0;
  try {
    for (let b = 0; b < 45; b++) {
      const batch = Array.from({ length: 1000 }, (_, i) => attempt(b * 1000 + i));
      appended += store.appendBatch(batch).length;
      maxWal = Math.max(maxWal, size(`${path}-wal`));
    }
    return { maxWal, dbDuring: size(path), appended };
  } finally {
    store.closeSync();
  }
}

describe('checkpoints of the write-ahead log during a long session', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('the built store copies the WAL into the database file beside the appends, the WAL starts over, nothing is lost', async () => {
    const path = join(dir, 'built.db');
    const { maxWal, dbDuring, appended } = longSession(BuiltStore, path);
    // Checkpoints ran while the session was open (the database file holds most of the rows already) ...
    expect(dbDuring).toBeGreaterThan(15 * MiB);
    // ... by the thread: the writing connection's own mark is 4,000 pages (16 MiB), past SQLite's 1,000 ...
    expect(maxWal).toBeGreaterThan(5 * MiB);
    // ... and the WAL is reused from its start rather than growing with the session.
    expect(maxWal).toBeLessThan(24 * MiB);
    // The store's close is still the last one: it checkpoints and removes the WAL, as SQLite always does.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const store = SourceStore.open({ path, readonly: true });
    try {
      expect(store.verify()).toMatchObject({ ok: true, checked: appended, head: { sequence: appended } });
    } finally {
      store.closeSync();
    }
  }, 180_000);

  it('from source (no worker module) SQLite checkpoints on the writing connection, every 1,000 pages', () => {
    const path = join(dir, 'source.db');
    const { maxWal, appended } = longSession(SourceStore, path);
    expect(maxWal).toBeLessThan(5 * MiB);
    expect(existsSync(`${path}-wal`)).toBe(false);
    const store = SourceStore.open({ path, readonly: true });
    try {
      expect(store.verify()).toMatchObject({ ok: true, checked: appended });
    } finally {
      store.closeSync();
    }
  }, 180_000);
});
