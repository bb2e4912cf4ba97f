import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, type ChainHead } from '../../src/audit/index.js';
import { COLUMNS, attempt, rowHash, setBodyField, sqlite, sqliteRows, tempDir, type Row2 } from './helpers.js';

/** What an attacker with write access to the file does first: remove the append-only triggers. */
const DROP_TRIGGERS = 'DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;';

const literal = (v: unknown): string =>
  v === null || v === undefined
    ? 'NULL'
    : typeof v === 'number'
      ? String(v)
      : `'${(typeof v === 'string' ? v : JSON.stringify(v)).replace(/'/g, "''")}'`;

describe('verify detects tampering and names the first bad entry', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  let rows: Row2[];
  let head: ChainHead;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'audit.db');
    const store = AuditStore.open({ path });
    for (let i = 0; i < 10; i += 1) {
      const { auditId } = store.recordAttempt(attempt(i));
      if (i === 1) store.recordOutcome(auditId, { success: true, durationMs: 5 });
    }
    head = store.head() as ChainHead;
    await store.close();
    rows = sqliteRows<Row2>(path, 'SELECT * FROM audit_entries ORDER BY seq;');
    expect(rows).toHaveLength(11);
  });
  afterEach(() => cleanup());

  const verify = (anchor?: ChainHead) => {
    const store = AuditStore.open({ path, readonly: true });
    try {
      return store.verify(anchor === undefined ? {} : { anchor });
    } finally {
      store.closeSync();
    }
  };
  const row = (seq: number) => rows[seq - 1] as Row2;

  it('an intact store verifies', () => {
    expect(verify(head)).toMatchObject({
      ok: true,
      checked: 11,
      head,
      firstSequence: 1,
      anchor: 'matched',
      warnings: [],
    });
  });

  it('a field edited with the sqlite3 shell', () => {
    sqlite(path, `${DROP_TRIGGERS} ${setBodyField(4, 'decision', 'blocked')}`);
    const result = verify();
    expect(result.ok).toBe(false);
    expect(result.firstBad).toMatchObject({ sequence: 4, auditId: row(4).audit_id, reason: 'edited' });
    expect(result.checked).toBe(3);
    expect(result.warnings.join()).toMatch(/append-only triggers/);
  });

  it('a field edited through a second SQLite connection while the store is open', () => {
    const store = AuditStore.open({ path });
    const other = new Database(path);
    try {
      other.exec(DROP_TRIGGERS);
      other
        .prepare("UPDATE audit_entries SET body = json_set(body, '$.request_parameters.MaxResults', 5) WHERE seq = 2")
        .run();
      expect(store.verify().firstBad).toMatchObject({ sequence: 2, auditId: row(2).audit_id, reason: 'edited' });
    } finally {
      other.close();
      store.closeSync();
    }
  });

  it('an edited row whose hash the attacker re-computed: the next entry still links to the original', () => {
    const body = JSON.stringify({ ...JSON.parse(row(4).body), operation: 'DescribeSecurityGroups' });
    const forged = { ...row(4), body };
    sqlite(
      path,
      `${DROP_TRIGGERS} UPDATE audit_entries SET body = '${body}', hash = '${rowHash(forged)}' WHERE seq = 4;`,
    );
    expect(verify().firstBad).toMatchObject({ sequence: 4, auditId: row(4).audit_id, reason: 'edited' });
  });

  it('a deleted row', () => {
    sqlite(path, `${DROP_TRIGGERS} DELETE FROM audit_entries WHERE seq = 5;`);
    const result = verify();
    expect(result.firstBad).toMatchObject({ sequence: 5, auditId: row(6).audit_id, reason: 'deleted' });
    expect(result.firstBad?.message).toMatch(/entries 5\.\.5 are missing/);
  });

  it('deleted oldest rows without a retention checkpoint', () => {
    sqlite(path, `${DROP_TRIGGERS} DELETE FROM audit_entries WHERE seq <= 3;`);
    expect(verify().firstBad).toMatchObject({ sequence: 1, auditId: row(4).audit_id, reason: 'deleted' });
  });

  it('a deleted row with the rest renumbered to hide the gap', () => {
    sqlite(
      path,
      `${DROP_TRIGGERS} DELETE FROM audit_entries WHERE seq = 5; UPDATE audit_entries SET seq = -seq WHERE seq > 5; UPDATE audit_entries SET seq = -seq - 1 WHERE seq < 0;`,
    );
    expect(verify().firstBad).toMatchObject({ sequence: 5, auditId: row(6).audit_id, reason: 'deleted' });
  });

  it('two rows swapped', () => {
    sqlite(
      path,
      `${DROP_TRIGGERS} UPDATE audit_entries SET seq = -3 WHERE seq = 3; UPDATE audit_entries SET seq = 3 WHERE seq = 4; UPDATE audit_entries SET seq = 4 WHERE seq = -3;`,
    );
    const result = verify();
    expect(result.firstBad).toMatchObject({ sequence: 3, auditId: row(4).audit_id, reason: 'reordered' });
  });

  it('a forged row inserted with a correctly computed hash, later rows renumbered', () => {
    const forged: Row2 = {
      ...row(5),
      seq: 6,
      audit_id: 'forged-0000',
      body: JSON.stringify({ ...JSON.parse(row(5).body), operation: 'DescribeSecurityGroups' }),
      prev_hash: row(5).hash,
      hash: '',
    };
    forged.hash = rowHash(forged);
    const columns = COLUMNS;
    sqlite(
      path,
      `${DROP_TRIGGERS}
       UPDATE audit_entries SET seq = -seq WHERE seq >= 6; UPDATE audit_entries SET seq = 1 - seq WHERE seq < 0;
       INSERT INTO audit_entries (${columns.join(', ')}) VALUES (${columns.map((c) => literal(forged[c])).join(', ')});`,
    );
    const result = verify();
    expect(result.firstBad).toMatchObject({ sequence: 6, auditId: 'forged-0000', reason: 'inserted' });
    expect(result.warnings.join()).toMatch(/append-only triggers/);
  });

  it('a forged row with a made-up hash appended at the end', () => {
    const columns = COLUMNS;
    const forged: Row2 = {
      ...row(11),
      seq: 12,
      audit_id: 'forged-0001',
      prev_hash: row(11).hash,
      hash: 'f'.repeat(64),
    };
    sqlite(
      path,
      `INSERT INTO audit_entries (${columns.join(', ')}) VALUES (${columns.map((c) => literal(forged[c])).join(', ')});`,
    );
    expect(verify().firstBad).toMatchObject({ sequence: 12, auditId: 'forged-0001', reason: 'edited' });
  });

  it('the newest rows dropped: detected against an anchor', () => {
    sqlite(path, `${DROP_TRIGGERS} DELETE FROM audit_entries WHERE seq >= 10;`);
    expect(verify().ok).toBe(true);
    const result = verify(head);
    expect(result.ok).toBe(false);
    expect(result.firstBad).toMatchObject({ sequence: 10, reason: 'truncated' });
    expect(result.firstBad?.message).toMatch(/the newest 2 entries are missing/);
  });

  it('the newest rows dropped and new ones appended: the anchored entry has another hash', async () => {
    sqlite(path, `${DROP_TRIGGERS} DELETE FROM audit_entries WHERE seq >= 10;`);
    const store = AuditStore.open({ path });
    store.append(attempt(20));
    store.append(attempt(21));
    await store.close();
    expect(verify(head).firstBad).toMatchObject({ sequence: 11, reason: 'truncated' });
  });
});
