import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, AuditStoreErrorCode, isAuditStoreError, type AuditReceipt } from '../../src/audit/index.js';
import { attempt, canMount, mountTmpfs, sqlite, sqliteRows, tempDir, unmount } from './helpers.js';

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const MOUNTABLE = canMount();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(isAuditStoreError(err), String(err)).toBe(true);
    return (err as { code: string }).code;
  }
  return undefined;
}

/** Appends until the store refuses; returns what was acknowledged and the error. */
function fillUntilRefused(store: AuditStore, limit = 100_000): { acked: AuditReceipt[]; error: unknown } {
  const acked: AuditReceipt[] = [];
  for (let i = 0; i < limit; i += 1) {
    try {
      acked.push(
        ...store.appendBatch(
          Array.from({ length: 20 }, (_, j) => attempt(i * 20 + j, { validationMessage: 'x'.repeat(200) })),
        ),
      );
    } catch (error) {
      return { acked, error };
    }
  }
  return { acked, error: undefined };
}

describe('bad store files and failing disks', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('a text file at the store path: NOT_SQLITE, and the file is left unchanged', () => {
    const path = join(dir, 'audit.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(10));
    const before = digest(path);
    let message = '';
    try {
      AuditStore.open({ path });
    } catch (err) {
      expect(isAuditStoreError(err) && err.code).toBe(AuditStoreErrorCode.NOT_SQLITE);
      message = (err as Error).message;
    }
    expect(message).toContain(path);
    expect(message).toMatch(/not an SQLite database.*left unchanged/);
    expect(digest(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("another application's SQLite database: FOREIGN_DATABASE, unchanged", () => {
    const path = join(dir, 'app.db');
    sqlite(path, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ann');");
    const before = digest(path);
    expect(codeOf(() => AuditStore.open({ path }))).toBe(AuditStoreErrorCode.FOREIGN_DATABASE);
    expect(digest(path)).toBe(before);
  });

  it('a store whose pages were damaged: CORRUPT on verify and append, and nothing is rewritten', () => {
    const path = join(dir, 'audit.db');
    const store = AuditStore.open({ path });
    for (let i = 0; i < 20; i += 1) store.appendBatch(Array.from({ length: 50 }, (_, j) => attempt(i * 50 + j)));
    store.closeSync();
    const pageSize = Number(sqlite(path, 'PRAGMA page_size;').trim());
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize * 2, 0xa5), 0, pageSize * 2, pageSize * 4);
    closeSync(fd);
    const before = digest(path);

    const reader = AuditStore.open({ path, readonly: true });
    expect(codeOf(() => reader.verify())).toBe(AuditStoreErrorCode.CORRUPT);
    reader.closeSync();
    let writer: AuditStore | undefined;
    const openCode = codeOf(() => {
      writer = AuditStore.open({ path });
    });
    if (writer !== undefined) {
      const w = writer;
      const code = codeOf(() => {
        for (let i = 0; i < 200; i += 1) w.append(attempt(i));
        w.verify();
      });
      expect(code).toBe(AuditStoreErrorCode.CORRUPT);
      w.closeSync();
    } else {
      expect(openCode).toBe(AuditStoreErrorCode.CORRUPT);
    }
    expect(digest(path)).toBe(before);
  });

  it('a size limit reached: STORE_FULL, every acknowledged entry kept, the chain verifies', () => {
    const path = join(dir, 'audit.db');
    const store = AuditStore.open({ path, maxSizeBytes: 256 * 1024 });
    const { acked, error } = fillUntilRefused(store);
    expect(isAuditStoreError(error) && error.code).toBe(AuditStoreErrorCode.STORE_FULL);
    expect((error as Error).message).toMatch(/full.*no entry was written and entries already stored are unchanged/);
    expect(acked.length).toBeGreaterThan(100);
    store.closeSync();
    const stored = new Set(
      sqliteRows<{ audit_id: string }>(path, 'SELECT audit_id FROM audit_entries;').map((r) => r.audit_id),
    );
    expect(stored.size).toBe(acked.length);
    for (const r of acked) expect(stored.has(r.auditId)).toBe(true);
    const reopened = AuditStore.open({ path });
    expect(reopened.verify()).toMatchObject({ ok: true, checked: acked.length });
    reopened.closeSync();
  });

  it.skipIf(!MOUNTABLE)(
    'a full disk (a 512 KiB tmpfs): STORE_FULL, every acknowledged entry kept, the chain verifies',
    () => {
      const mnt = join(dir, 'tiny');
      mkdirSync(mnt);
      mountTmpfs(mnt, 'size=512k');
      try {
        const path = join(mnt, 'audit.db');
        const store = AuditStore.open({ path });
        const { acked, error } = fillUntilRefused(store);
        expect(isAuditStoreError(error) && error.code).toBe(AuditStoreErrorCode.STORE_FULL);
        expect(acked.length).toBeGreaterThan(50);
        const result = store.verify();
        expect(result).toMatchObject({ ok: true, checked: acked.length, head: { sequence: acked.at(-1)?.sequence } });
        store.closeSync();
        const stored = new Set(
          sqliteRows<{ audit_id: string }>(path, 'SELECT audit_id FROM audit_entries;').map((r) => r.audit_id),
        );
        for (const r of acked) expect(stored.has(r.auditId)).toBe(true);
      } finally {
        unmount(mnt);
      }
    },
  );

  it.skipIf(!MOUNTABLE && process.getuid?.() === 0)(
    'a read-only directory: READ_ONLY naming the path; an existing store there can still be verified',
    () => {
      const ro = join(dir, 'ro');
      mkdirSync(ro);
      const existing = join(ro, 'audit.db');
      const seed = AuditStore.open({ path: existing });
      seed.append(attempt(0));
      seed.closeSync();
      const makeReadOnly = () => {
        if (MOUNTABLE) {
          // root ignores permission bits, so make the filesystem itself read-only
          mountTmpfs(ro, 'size=1m');
          writeFileSync(join(ro, 'audit.db'), readFileSync(join(dir, 'copy.db')));
          mountTmpfs(ro, 'remount,ro');
        } else chmodSync(ro, 0o555);
      };
      writeFileSync(join(dir, 'copy.db'), readFileSync(existing));
      makeReadOnly();
      try {
        let message = '';
        try {
          AuditStore.open({ path: join(ro, 'new', 'audit.db') });
        } catch (err) {
          expect(isAuditStoreError(err) && err.code).toBe(AuditStoreErrorCode.READ_ONLY);
          message = (err as Error).message;
        }
        expect(message).toContain(join(ro, 'new'));
        expect(codeOf(() => AuditStore.open({ path: existing }))).toBe(AuditStoreErrorCode.READ_ONLY);
        const reader = AuditStore.open({ path: existing, readonly: true });
        const verified = reader.verify();
        expect(verified).toMatchObject({ ok: true, checked: 1 });
        expect(verified.warnings.join()).toMatch(/private copy/);
        reader.closeSync();
      } finally {
        if (MOUNTABLE) unmount(ro);
        else chmodSync(ro, 0o755);
      }
    },
  );
});
