import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, entryHash, formatAnchor, type AuditRow, type ChainHead } from '../../src/audit/index.js';
import { FIXTURES, attempt, runAuditCli, runNode, setBodyField, sqlite, sqliteRows, tempDir } from './helpers.js';

const APPENDER = join(FIXTURES, 'appender.mjs');
/** A store written by the format-1 InvenTag: 12 attempts with outcomes, a blocked call, a cleanup, one more attempt. */
const FORMAT_1 = join(FIXTURES, 'format1.db');
const FORMAT_1_HEAD: ChainHead = {
  sequence: 27,
  hash: '8795211e73eb1305015fca9b8200685fd43f2e325a7e5d634427c66686d09b29',
};

describe('audit store formats, the cleanup flag, incremental verify and the head kept outside the store', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const format1Copy = (): string => {
    const path = join(dir, 'old.db');
    copyFileSync(FORMAT_1, path);
    return path;
  };

  it('a format-1 store still verifies, reads and takes appends in its own format', async () => {
    const path = format1Copy();
    let store = AuditStore.open({ path, readonly: true });
    expect(store.format).toBe(1);
    expect(store.verify({ anchor: FORMAT_1_HEAD })).toMatchObject({
      ok: true,
      checked: 21,
      firstSequence: 7,
      head: FORMAT_1_HEAD,
      anchor: 'matched',
    });
    const entries = [...store.entries()];
    expect(entries.filter((e) => e.outcome?.errorCode === 'ThrottlingException').length).toBeGreaterThan(0);
    expect(entries.at(-1)).toMatchObject({ service: 's3', operation: 'ListBuckets' });
    store.closeSync();

    store = AuditStore.open({ path });
    const { auditId } = store.recordAttempt(attempt(0));
    store.recordOutcome(auditId, { success: true, durationMs: 2 });
    const staged = store.stageAttempt(attempt(1));
    await staged.durable;
    expect(store.format).toBe(1);
    expect(store.verify({ anchor: FORMAT_1_HEAD })).toMatchObject({ ok: true, checked: 24, anchor: 'matched' });
    await store.close();
    // The new rows use the format-1 recipe: a JSON array of every column.
    const row = sqliteRows<AuditRow>(path, 'SELECT * FROM audit_entries WHERE seq = 28;')[0] as AuditRow;
    expect(entryHash(row)).toBe(row.hash);
    // And an edit of an old-format row is still caught.
    sqlite(path, "DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET decision = 'blocked' WHERE seq = 9;");
    store = AuditStore.open({ path, readonly: true });
    expect(store.verify().firstBad).toMatchObject({ sequence: 9, reason: 'edited' });
    store.closeSync();
  });

  it('the cleanup_in_progress flag no longer opens the table: deletes need a chained checkpoint newer than them', () => {
    const path = join(dir, 'audit.db');
    const store = AuditStore.open({ path });
    for (let i = 0; i < 10; i++) store.append(attempt(i));
    store.closeSync();
    expect(() =>
      sqlite(
        path,
        "INSERT OR REPLACE INTO audit_meta (key, value) VALUES ('cleanup_in_progress', '1'); DELETE FROM audit_entries WHERE seq >= 8;",
      ),
    ).toThrow(/removed only by a retention cleanup/);
    expect(sqliteRows<{ n: number }>(path, 'SELECT COUNT(*) AS n FROM audit_entries;')[0]?.n).toBe(10);
    // A flag set by hand is reported.
    sqlite(path, "INSERT OR REPLACE INTO audit_meta (key, value) VALUES ('cleanup_in_progress', '1');");
    const ro = AuditStore.open({ path, readonly: true });
    expect(ro.verify().warnings.join()).toMatch(/cleanup_in_progress flag .* outside any cleanup/);
    ro.closeSync();
    // Cleanup itself still works: its checkpoint is chained first, then the covered entries go.
    const rw = AuditStore.open({ path });
    expect(rw.cleanup({ maxEntries: 4 })).toMatchObject({ removed: 7 });
    expect(rw.verify()).toMatchObject({ ok: true, checked: 4, firstSequence: 8 });
    rw.closeSync();
    // The newest entries stay protected after a cleanup too: only entries the checkpoint covers could go, and they are gone.
    expect(() => sqlite(path, 'DELETE FROM audit_entries WHERE seq >= 10;')).toThrow(
      /removed only by a retention cleanup/,
    );
  });

  it('a format-1 store: the flag opened it (the hole), verify warns, and opening it for writing closes the hole', () => {
    const path = format1Copy();
    sqlite(
      path,
      "INSERT OR REPLACE INTO audit_meta (key, value) VALUES ('cleanup_in_progress', '1'); DELETE FROM audit_entries WHERE seq >= 27; DELETE FROM audit_meta WHERE key = 'cleanup_in_progress';",
    );
    expect(sqliteRows<{ n: number }>(path, 'SELECT MAX(seq) AS n FROM audit_entries;')[0]?.n).toBe(26);
    let store = AuditStore.open({ path, readonly: true });
    const result = store.verify();
    // The remaining chain is intact; only a head kept outside the store shows the loss.
    expect(result.ok).toBe(true);
    expect(result.warnings.join()).toMatch(/still honours the cleanup_in_progress flag/);
    expect(store.compareHead(FORMAT_1_HEAD)).toMatchObject({ status: 'behind' });
    expect(store.compareHead(FORMAT_1_HEAD).message).toMatch(/went backwards.*newest 1 entries are missing/);
    store.closeSync();
    store = AuditStore.open({ path });
    store.closeSync();
    expect(() =>
      sqlite(
        path,
        "INSERT OR REPLACE INTO audit_meta (key, value) VALUES ('cleanup_in_progress', '1'); DELETE FROM audit_entries WHERE seq >= 20;",
      ),
    ).toThrow(/removed only by a retention cleanup/);
    store = AuditStore.open({ path, readonly: true });
    expect(store.verify().warnings.join()).not.toMatch(/still honours/);
    store.closeSync();
  });

  it('an outcome keeps its HTTP status in the hashed body; a status that is not one is refused', () => {
    const path = join(dir, 'audit.db');
    const store = AuditStore.open({ path });
    try {
      const { auditId } = store.recordAttempt(attempt(0));
      store.recordOutcome(auditId, {
        success: false,
        errorCode: 'ThrottlingException',
        durationMs: 4,
        httpStatus: 400,
      });
      const second = store.recordAttempt(attempt(1)).auditId;
      expect(() => store.recordOutcome(second, { success: true, durationMs: 1, httpStatus: 2000 })).toThrow(
        /httpStatus must be a whole number from 100 to 599/,
      );
      expect(store.entries().next().value?.outcome).toEqual({
        success: false,
        errorCode: 'ThrottlingException',
        durationMs: 4,
        httpStatus: 400,
      });
      expect(store.verify().ok).toBe(true);
    } finally {
      store.closeSync();
    }
    const row = sqliteRows<{ status: number }>(
      path,
      "SELECT json_extract(body, '$.outcome_http_status') AS status FROM audit_entries WHERE kind = 'outcome';",
    );
    expect(row).toEqual([{ status: 400 }]);
  });

  it('incremental verify walks only what was appended since the last verified head', () => {
    const path = join(dir, 'audit.db');
    const store = AuditStore.open({ path });
    try {
      for (let i = 0; i < 20; i++) store.append(attempt(i));
      const first = store.verify();
      expect(first).toMatchObject({ ok: true, checked: 20 });
      for (let i = 20; i < 25; i++) store.append(attempt(i));
      const next = store.verify({ after: first.head as ChainHead });
      expect(next).toMatchObject({ ok: true, checked: 5, from: first.head, firstSequence: 1 });
      expect(next.head?.sequence).toBe(25);
      // Nothing new: nothing walked, same head.
      expect(store.verify({ after: next.head as ChainHead })).toMatchObject({ ok: true, checked: 0, head: next.head });
      // The last verified entry rewritten: refused.
      expect(store.verify({ after: { sequence: 25, hash: 'a'.repeat(64) } })).toMatchObject({
        ok: false,
        firstBad: { sequence: 25, reason: 'edited' },
      });
      // A new entry edited after the last verify: caught by the incremental walk.
      sqlite(
        path,
        "DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET body = json_set(body, '$.decision', 'blocked') WHERE seq = 24;",
      );
      expect(store.verify({ after: first.head as ChainHead }).firstBad).toMatchObject({
        sequence: 24,
        reason: 'edited',
      });
    } finally {
      store.closeSync();
    }
    // Verified entries deleted from the end: the last verified head is missing.
    sqlite(path, 'DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE seq >= 15;');
    const ro = AuditStore.open({ path, readonly: true });
    expect(ro.verify({ after: { sequence: 20, hash: 'b'.repeat(64) } }).firstBad).toMatchObject({
      reason: 'truncated',
    });
    ro.closeSync();
  });

  it('the metrics snapshot source re-verifies from the last verified head: new entries are checked, the count adds up', async () => {
    const path = join(dir, 'audit.db');
    const store = AuditStore.open({ path });
    for (let i = 0; i < 10; i++) store.append(attempt(i));
    const { loadSnapshotSource } = await import('../../src/manager/snapshot/snapshotSource.js');
    const source = await loadSnapshotSource({ store: path });
    expect((await source.getSnapshot()).audit).toMatchObject({ length: 10, verified: true, checked: 10 });
    for (let i = 10; i < 13; i++) store.append(attempt(i));
    expect((await source.getSnapshot()).audit).toMatchObject({ length: 13, verified: true, checked: 13 });
    store.append(attempt(13));
    store.closeSync();
    // An entry after the last verified head edited: the incremental walk catches it.
    sqlite(path, `DROP TRIGGER audit_entries_no_update; ${setBodyField(14, 'decision', 'blocked')}`);
    expect((await source.getSnapshot()).audit).toMatchObject({ length: 14, verified: false });
  });

  /** A writer that logs to the security audit log of `logs` and is killed (SIGKILL) after its last commit. */
  const crashAfter = async (path: string, logs: string, count: number) => {
    const r = await runNode([APPENDER, path, 'durable', `${count}exit`, 'full', 'w', logs], { timeoutMs: 60_000 });
    expect(r.stdout.endsWith('done\n'), r.stderr).toBe(true);
    expect(r.signal).toBe('SIGKILL');
  };

  it('audit verify compares with the head in the security audit log: the newest rows deleted (exit 4, head went backwards)', async () => {
    const path = join(dir, 'audit.db');
    const logs = join(dir, 'logs');
    const env = { INVENTAG_LOG_DIRECTORY: logs };
    await crashAfter(path, logs, 6);
    const intact = await runAuditCli(['audit', 'verify', '--store', path], { env });
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/security audit log: the chain head is the one recorded outside the store/);
    sqlite(path, 'DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE seq >= 10;');
    const r = await runAuditCli(['audit', 'verify', '--store', path], { env });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/TAMPERED: the chain head went backwards/);
    expect(r.stdout).toMatch(/the newest 3 entries are missing/);
    const json = await runAuditCli(['audit', 'verify', '--store', path, '--json'], { env });
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      knownHead: { status: 'behind', head: { sequence: 12 } },
    });
  });

  it('a deleted -wal loses committed entries: audit verify and status say the head went backwards (exit 4)', async () => {
    const path = join(dir, 'audit.db');
    const logs = join(dir, 'logs');
    const env = { INVENTAG_LOG_DIRECTORY: logs, INVENTAG_AUDIT_STORE: path, INVENTAG_DATA_DIRECTORY: dir };
    await crashAfter(path, logs, 5);
    const before = await runAuditCli(['status'], { env });
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/Audit trail: 10 entries, head 10:[0-9a-f]{64}, intact/);
    expect(existsSync(`${path}-wal`)).toBe(true);
    // Every entry was still in the write-ahead log: the store file itself holds no trail any more.
    rmSync(`${path}-wal`);
    rmSync(`${path}-shm`, { force: true });
    const r = await runAuditCli(['audit', 'verify', '--store', path], { env });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toMatch(/TAMPERED: the chain head went backwards: 10:.* the store ends at 0/);
    const status = await runAuditCli(['status', '--json'], { env });
    expect(status.code, status.stderr).toBe(4);
    expect(JSON.parse(status.stdout)).toMatchObject({
      audit: { intact: false, knownHead: { status: 'behind', head: { sequence: 10 } } },
    });
    // The store file deleted outright: the same.
    rmSync(path);
    const gone = await runAuditCli(['status'], { env });
    expect(gone.code).toBe(4);
    expect(gone.stdout).toMatch(/TAMPERED: the chain head went backwards/);
    expect((await runAuditCli(['audit', 'verify', '--store', path], { env })).code).toBe(4);
  });

  it('status compares with the security audit log too: the newest rows deleted through the sqlite3 shell', async () => {
    const path = join(dir, 'audit.db');
    const logs = join(dir, 'logs');
    const env = { INVENTAG_LOG_DIRECTORY: logs, INVENTAG_AUDIT_STORE: path, INVENTAG_DATA_DIRECTORY: dir };
    await crashAfter(path, logs, 6);
    // A checkpoint so the store file holds the rows (not only the write-ahead log), then the newest rows deleted.
    sqlite(
      path,
      'PRAGMA wal_checkpoint(TRUNCATE); DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE seq > 9;',
    );
    const r = await runAuditCli(['status'], { env });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toMatch(/Audit trail: 9 entries, head 9:[0-9a-f]{64}, TAMPERED/);
    expect(r.stdout).toMatch(/TAMPERED: the chain head went backwards: 12:.*the newest 3 entries are missing/);
    // Without the log to compare with, the remaining chain is all there is: intact.
    const noLog = await runAuditCli(['status'], { env: { ...env, INVENTAG_LOG_DIRECTORY: join(dir, 'other') } });
    expect(noLog.code).toBe(0);
  });

  it('a damaged -wal drops the commits after the damage: detected against the security audit log', async () => {
    const path = join(dir, 'audit.db');
    const logs = join(dir, 'logs');
    const env = { INVENTAG_LOG_DIRECTORY: logs };
    await crashAfter(path, logs, 8);
    const wal = readFileSync(`${path}-wal`);
    // Flip bytes in the middle of the log: SQLite stops reading at the first frame whose checksum fails.
    const at = Math.floor(wal.length / 2);
    for (let i = 0; i < 16; i++) wal[at + i] = (wal[at + i] as number) ^ 0xff;
    writeFileSync(`${path}-wal`, wal);
    const r = await runAuditCli(['audit', 'verify', '--store', path, '--json'], { env });
    expect(r.code).toBe(4);
    const out = JSON.parse(r.stdout) as { knownHead: { status: string; message: string } };
    expect(out.knownHead.status).toBe('behind');
    expect(out.knownHead.message).toMatch(/damaged or deleted write-ahead log/);
  });

  it('the known head names the store by its id, so another store in the same log directory does not interfere', async () => {
    const logs = join(dir, 'logs');
    await crashAfter(join(dir, 'a.db'), logs, 4);
    await crashAfter(join(dir, 'b.db'), logs, 2);
    const a = AuditStore.open({ path: join(dir, 'a.db'), readonly: true });
    const { lastLoggedHead } = await import('../../src/audit/index.js');
    const known = lastLoggedHead(logs, { storeId: a.storeId });
    expect(known?.head).toEqual(a.head());
    expect(formatAnchor(known?.head as ChainHead)).toMatch(/^8:/);
    a.closeSync();
  });
});
