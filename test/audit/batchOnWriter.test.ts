/**
 * `appendBatch` on the store's writer thread: a batch of more than one part
 * is prepared on the calling thread while the writer chains and inserts the
 * parts already sent, in one transaction. The writer runs only from the build
 * (dist/), so the store is loaded from there. What must hold is what held on
 * the calling thread: one transaction and one fsync per batch, the receipts
 * and the rows in the order given, the documented hash recipe (keyed too),
 * all or nothing when an entry is bad, the store is full or another
 * connection holds the lock, the order of staged entries before it, and the
 * same trail as `writer: 'inline'`.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput } from '../../src/audit/index.js';
import { fillStore } from '../guard/helpers.js';
import { ROOT, attempt, rowHash, sqliteRows, tempDir, type Row2 } from './helpers.js';

type Dist = typeof import('../../src/index.js');
type Store = import('../../src/audit/AuditStore.js').AuditStore;
const DIST_URL = pathToFileURL(resolve(ROOT, 'dist', 'index.js')).href;
/** More rows than one part, not a multiple of it. */
const BATCH = 1000;

let dist: Dist;
beforeAll(async () => {
  dist = (await import(DIST_URL)) as Dist;
});

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('inventag-batch-writer-')));
afterEach(() => cleanup());

const batchOf = (from: number, n = BATCH, over: (i: number) => Partial<AuditEntryInput> = () => ({})) =>
  Array.from({ length: n }, (_, i) => attempt(from + i, over(from + i)));

/** Appends batches until the store's writer thread runs and has committed one of them. */
async function onWriter(store: Store): Promise<void> {
  for (let i = 0; i < 200 && store.writeStats.onWriterThread === 0; i += 1) {
    store.appendBatch(batchOf(i * 200, 200));
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(store.groupCommits).toBe('thread');
  expect(store.writeStats.onWriterThread).toBe(1);
}

const stored = (path: string): Row2[] => sqliteRows<Row2>(path, 'SELECT * FROM audit_entries ORDER BY seq;');

describe('appendBatch on the writer thread', () => {
  it('one transaction and one fsync per batch; receipts and rows in the order given, each hashed by the recipe', async () => {
    const path = join(dir, 'batch.db');
    const key = 'a batch key of 32 bytes, no less.';
    const store = dist.AuditStore.open({ path, key });
    try {
      await onWriter(store);
      const before = store.writeStats;
      const batch = batchOf(10_000);
      const receipts = store.appendBatch(batch);
      expect(store.writeStats).toEqual({
        transactions: before.transactions + 1,
        fsyncs: before.fsyncs + 1,
        onWriterThread: before.onWriterThread + 1,
      });
      const first = receipts[0]?.sequence as number;
      expect(receipts.map((r) => r.sequence)).toEqual(Array.from({ length: BATCH }, (_, i) => first + i));
      const rows = stored(path).slice(-BATCH);
      expect(rows.map((r) => r.audit_id)).toEqual(receipts.map((r) => r.auditId));
      expect(rows.map((r) => r.hash)).toEqual(receipts.map((r) => r.hash));
      // Each row chains to the one before it, by the documented recipe (here keyed).
      const all = stored(path);
      all.forEach((row, i) => {
        expect(row.prev_hash).toBe(i === 0 ? '0'.repeat(64) : all[i - 1]?.hash);
        expect(rowHash(row, key)).toBe(row.hash);
      });
      const bodies = rows.map((r) => JSON.parse(r.body) as { request_parameters: unknown });
      expect(bodies.map((b) => b.request_parameters)).toEqual(batch.map((e) => e.requestParameters));
      expect(store.verify()).toMatchObject({ ok: true, checked: all.length });
    } finally {
      await store.close();
    }
  });

  it('a bad entry after several parts were sent: nothing of the batch is written, and the next batch continues the chain', async () => {
    const path = join(dir, 'bad.db');
    const store = dist.AuditStore.open({ path });
    try {
      await onWriter(store);
      const head = store.verify().head;
      const bad = batchOf(0, BATCH, (i) => (i === 700 ? { decision: 'maybe' as 'allowed' } : {}));
      expect(() => store.appendBatch(bad)).toThrow(/decision/);
      expect(store.verify().head).toEqual(head);
      const next = store.appendBatch(batchOf(20_000));
      expect(next[0]?.sequence).toBe((head?.sequence as number) + 1);
      expect(store.writeStats.onWriterThread).toBeGreaterThan(1);
      expect(store.verify()).toMatchObject({ ok: true, checked: (head?.sequence as number) + BATCH });
    } finally {
      await store.close();
    }
  });

  it('a store that fills up mid-batch: STORE_FULL, none of the batch is written, and what was there still verifies', async () => {
    const path = join(dir, 'full.db');
    const store = dist.AuditStore.open({ path, maxSizeBytes: 2 * 1024 * 1024 });
    try {
      await onWriter(store);
      const head = store.verify().head;
      let full: unknown;
      try {
        for (let i = 0; i < 100; i += 1) store.appendBatch(batchOf(30_000 + i * BATCH));
      } catch (err) {
        full = err;
      }
      expect(full).toMatchObject({ code: 'STORE_FULL' });
      expect(store.writeStats.onWriterThread).toBeGreaterThan(1);
      const result = store.verify();
      expect(result.ok).toBe(true);
      // Whole batches only: the head moved by a multiple of the batch.
      expect(((result.head?.sequence as number) - (head?.sequence as number)) % BATCH).toBe(0);
      // Still full for single entries too, and still readable.
      fillStore(store);
      expect(store.verify().ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('another connection holds the write lock past busyTimeoutMs: BUSY, as inline, and nothing of the batch is written', async () => {
    const { default: Database } = await import('better-sqlite3');
    const path = join(dir, 'busy.db');
    const store = dist.AuditStore.open({ path, busyTimeoutMs: 200 });
    try {
      await onWriter(store);
      const head = store.verify().head;
      const other = new Database(path);
      other.exec('BEGIN IMMEDIATE');
      try {
        expect(() => store.appendBatch(batchOf(60_000))).toThrow(
          expect.objectContaining({ code: 'BUSY', message: expect.stringMatching(/no entry was written/) }),
        );
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect(store.verify().head).toEqual(head);
      expect(store.appendBatch(batchOf(61_000))[0]?.sequence).toBe((head?.sequence as number) + 1);
      expect(store.writeStats.onWriterThread).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('staged entries, then a batch: the chain keeps the order of the calls', async () => {
    const store = dist.AuditStore.open({ path: join(dir, 'order.db') });
    try {
      await onWriter(store);
      const staged = Array.from({ length: 40 }, (_, i) => store.stageAttempt(attempt(1000 + i)));
      const receipts = store.appendBatch(batchOf(2000));
      const stagedReceipts = await Promise.all(staged.map((s) => s.committed));
      const last = stagedReceipts[39]?.sequence as number;
      expect(receipts[0]?.sequence).toBe(last + 1);
      await store.flush();
      expect(store.verify().ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("writer: 'inline' writes the same rows from the same batches", async () => {
    const bodies: string[][] = [];
    for (const writer of ['thread', 'inline'] as const) {
      const path = join(dir, `${writer}.db`);
      const store = dist.AuditStore.open({ path, writer, sessionId: 'same-session' });
      try {
        if (writer === 'thread') await onWriter(store);
        const before = store.writeStats.onWriterThread;
        store.appendBatch(batchOf(40_000));
        store.appendBatch(batchOf(50_000, 129));
        expect(store.writeStats.onWriterThread - before).toBe(writer === 'thread' ? 2 : 0);
        expect(store.verify().ok).toBe(true);
        bodies.push(
          stored(path)
            .slice(-(BATCH + 129))
            .map((r) => `${r.kind} ${r.body}`),
        );
      } finally {
        await store.close();
      }
    }
    expect(bodies[0]).toEqual(bodies[1]);
  });
});
