import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { LAZY_SYNC_MS, WalSync } from '../../src/audit/walSync.js';
import { attempt, tempDir } from './helpers.js';

describe('WalSync: commits nobody waits for ride on the next fsync', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  function wal(): WalSync {
    const db = join(dir, 'x.db');
    writeFileSync(db, '');
    writeFileSync(`${db}-wal`, 'frames');
    return new WalSync(db);
  }

  it('a lazy commit alone gets its own fsync within the lazy delay', async () => {
    const w = wal();
    const n = w.committed();
    const started = Date.now();
    await w.durableSoon(n);
    expect(w.pending).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LAZY_SYNC_MS - 2);
    w.closeSync();
  });

  it('a waiting commit after it covers it with one fsync, without waiting for the delay', async () => {
    const w = wal();
    const lazy = w.committed();
    let lazyDone = false;
    const soon = w.durableSoon(lazy).then(() => (lazyDone = true));
    const waited = w.committed();
    const started = Date.now();
    await w.durable(waited);
    expect(Date.now() - started).toBeLessThan(LAZY_SYNC_MS * 50);
    await Promise.resolve();
    expect(lazyDone).toBe(true);
    await soon;
    expect(w.pending).toBe(0);
    w.closeSync();
  });

  it('a failed fsync refuses lazy waiters too', async () => {
    const w = wal();
    const n = w.committed();
    const soon = w.durableSoon(n);
    w.closeSync();
    await expect(soon).rejects.toThrow(/closed/);
  });
});

describe('staged outcomes and durability', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('an outcome staged after the last attempt is on the disk once flushed, and the chain verifies', async () => {
    const store = AuditStore.open({ path: join(dir, 'a.db') });
    const staged = store.stageAttempt(attempt(1));
    await staged.durable;
    store.stageOutcome(staged.auditId, { success: true, durationMs: 2 });
    await store.flush();
    const entries = [...store.entries()];
    expect(entries).toHaveLength(1);
    expect(entries[0]?.outcome).toMatchObject({ success: true });
    expect(store.verify().ok).toBe(true);
    await store.close();
  });
});
