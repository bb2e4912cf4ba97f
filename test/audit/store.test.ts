import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { AuditStore, AuditStoreErrorCode, isAuditStoreError } from '../../src/audit/index.js';
import { attempt, rowHash, setBodyField, sqlite, sqliteRows, tempDir, type Row2 } from './helpers.js';

describe('AuditStore', () => {
  let dir: string;
  let cleanup: () => void;
  let store: AuditStore;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    store = AuditStore.open({ path: join(dir, '.inventag', 'audit.db') });
  });
  afterEach(async () => {
    await store.close();
    cleanup();
  });

  it('appends chained entries and reads them back with every field', () => {
    const a = store.append(
      attempt(0, { resourceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1', validationMessage: 'read-only' }),
    );
    const b = store.append(attempt(1));
    expect(a.sequence).toBe(1);
    expect(b.sequence).toBe(2);
    const [first, second] = [...store.entries()];
    expect(first).toMatchObject({
      sequence: 1,
      auditId: a.auditId,
      kind: 'attempt',
      sessionId: store.sessionId,
      service: 'ec2',
      operation: 'DescribeInstances',
      iamAction: 'ec2:DescribeInstances',
      operationType: 'read_only',
      decision: 'allowed',
      riskLevel: 'LOW',
      resourceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1',
      identity: { account: '123456789012', arn: 'arn:aws:iam::123456789012:role/reader', type: 'AssumedRole' },
      requestParameters: { MaxResults: 50, Filters: [{ Name: 'tag:env', Values: ['prod-0'] }] },
      complianceStandard: 'soc2',
      validationMessage: 'read-only',
      prevHash: '0'.repeat(64),
      hash: a.hash,
    });
    expect(second?.prevHash).toBe(a.hash);
    expect(store.head()).toEqual({ sequence: 2, hash: b.hash });
  });

  it('hashes exactly the documented payload, so other tools can re-verify a row', () => {
    store.append(attempt(0));
    const row = sqliteRows<Row2>(store.path, 'SELECT * FROM audit_entries;')[0] as Row2;
    // The documented recipe, written out independently of the library.
    expect(rowHash(row)).toBe(row.hash);
    // And with the sqlite3 shell alone: the payload written to a file, hashed by sha256sum.
    const file = join(dir, 'row.bin');
    sqlite(
      store.path,
      `SELECT writefile('${file}', 'inventag-audit/2'||char(10)||seq||char(10)||audit_id||char(10)||kind||char(10)||timestamp||char(10)||coalesce(ref_audit_id,'')||char(10)||prev_hash||char(10)||body) FROM audit_entries WHERE seq = 1;`,
    );
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(row.hash);
  });

  it('implements AuditSink: the outcome is its own chained record, merged into the attempt when read', () => {
    const { auditId } = store.recordAttempt(attempt(0));
    store.recordOutcome(auditId, { success: false, errorCode: 'ThrottlingException', durationMs: 12.345 });
    expect(store.count()).toBe(2);
    const entries = [...store.entries()];
    expect(entries).toHaveLength(1);
    expect(entries[0]?.outcome).toEqual({ success: false, errorCode: 'ThrottlingException', durationMs: 12.345 });
    expect(store.verify().ok).toBe(true);
  });

  it('refuses an outcome for an unknown attempt and a second outcome', () => {
    const { auditId } = store.recordAttempt(attempt(0));
    store.recordOutcome(auditId, { success: true, durationMs: 1 });
    expect(() => store.recordOutcome(auditId, { success: true, durationMs: 1 })).toThrow(
      expect.objectContaining({ code: AuditStoreErrorCode.DUPLICATE_OUTCOME }),
    );
    expect(() => store.recordOutcome('no-such-id', { success: true, durationMs: 1 })).toThrow(
      expect.objectContaining({ code: AuditStoreErrorCode.UNKNOWN_AUDIT_ID }),
    );
    expect(store.count()).toBe(2);
  });

  it('refuses bad input naming the field and what is allowed, writing nothing', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ service: '' }, /field service must be a non-empty string/],
      [{ decision: 'maybe' }, /field decision must be allowed or blocked; got "maybe"/],
      [{ operationType: 'write' }, /operationType must be one of read_only, mutating, unknown/],
      [{ riskLevel: 'low' }, /riskLevel must be one of LOW, MEDIUM, HIGH, CRITICAL/],
      [{ complianceStandard: 'pci' }, /complianceStandard must be one of general, soc2, iso27001, custom/],
      [{ outcome: { success: true, durationMs: Number.NaN } }, /outcome.durationMs must be a finite number >= 0/],
    ];
    for (const [bad, message] of cases) {
      let caught: unknown;
      try {
        store.append({ ...attempt(0), ...bad });
      } catch (err) {
        caught = err;
      }
      expect(isAuditStoreError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
      expect((caught as { code: string }).code).toBe(AuditStoreErrorCode.INVALID_INPUT);
    }
    expect(store.count()).toBe(0);
  });

  it('appends a batch in one transaction and group-commits enqueued entries', async () => {
    const batch = store.appendBatch([attempt(0), attempt(1), attempt(2)]);
    expect(batch.map((r) => r.sequence)).toEqual([1, 2, 3]);
    const queued = await Promise.all(Array.from({ length: 250 }, (_, i) => store.enqueue(attempt(i))));
    expect(queued.map((r) => r.sequence)).toEqual(Array.from({ length: 250 }, (_, i) => i + 4));
    await expect(store.enqueue({ ...attempt(0), decision: 'nope' } as never)).rejects.toMatchObject({
      code: AuditStoreErrorCode.INVALID_INPUT,
    });
    const result = store.verify();
    expect(result).toMatchObject({ ok: true, checked: 253, head: { sequence: 253 } });
  });

  it('batches of any size chain and verify; a batch failing mid-way leaves none of its entries', () => {
    // Rows go to SQLite several to a statement: sizes around that group size, and a failure inside a later group.
    let next = 0;
    for (const size of [1, 15, 16, 17, 33, 100]) {
      const receipts = store.appendBatch(Array.from({ length: size }, (_, i) => attempt(i)));
      expect(receipts.map((r) => r.sequence)).toEqual(Array.from({ length: size }, (_, i) => next + i + 1));
      next += size;
    }
    const rows = sqliteRows<Row2>(store.path, 'SELECT * FROM audit_entries ORDER BY seq;');
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: next }, (_, i) => i + 1));
    for (const row of rows) expect(rowHash(row)).toBe(row.hash);
    sqlite(
      store.path,
      `CREATE TRIGGER fail_one BEFORE INSERT ON audit_entries WHEN NEW.seq = ${next + 21}
       BEGIN SELECT RAISE(ABORT, 'refused'); END;`,
    );
    expect(() => store.appendBatch(Array.from({ length: 40 }, (_, i) => attempt(i)))).toThrow(/refused/);
    expect(store.count()).toBe(next);
    sqlite(store.path, 'DROP TRIGGER fail_one;');
    const after = store.appendBatch(Array.from({ length: 20 }, (_, i) => attempt(i)));
    expect(after.map((r) => r.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => next + i + 1));
    expect(store.count()).toBe(next + 20);
    expect(store.verify()).toMatchObject({ ok: true, checked: next + 20 });
  });

  it('tails the newest entries oldest first', () => {
    for (let i = 0; i < 10; i += 1) store.append(attempt(i));
    expect(store.tail(3).map((e) => e.sequence)).toEqual([8, 9, 10]);
    expect(store.tail(0)).toEqual([]);
  });

  it("an outcome for another session's attempt copies its service and operation only when they are text", async () => {
    const path = store.path;
    const { auditId } = store.recordAttempt(attempt(0));
    const { auditId: editedId } = store.recordAttempt(attempt(1));
    await store.close();
    // An edited store: one attempt's service is no longer text.
    sqlite(
      path,
      `DROP TRIGGER audit_entries_no_update;
       UPDATE audit_entries SET body = json_set(body, '$.service', json('{"not":"text"}')) WHERE audit_id = '${editedId}';`,
    );
    store = AuditStore.open({ path });
    store.recordOutcome(auditId, { success: true, durationMs: 1 });
    store.recordOutcome(editedId, { success: true, durationMs: 2 });
    const outcomes = sqliteRows<{ ref: string; service: string | null; operation: string | null }>(
      path,
      "SELECT ref_audit_id AS ref, body ->> '$.service' AS service, body ->> '$.operation' AS operation FROM audit_entries WHERE kind = 'outcome' ORDER BY seq",
    );
    expect(outcomes).toEqual([
      { ref: auditId, service: attempt(0).service, operation: attempt(0).operation },
      { ref: editedId, service: null, operation: attempt(1).operation },
    ]);
  });

  it('exports JSON lines and CSV, optionally since a time', async () => {
    let now = new Date('2026-01-01T00:00:00.000Z');
    await store.close();
    store = AuditStore.open({ path: join(dir, 'audit.db'), clock: () => now });
    store.append(attempt(0));
    now = new Date('2026-02-01T00:00:00.000Z');
    const { auditId } = store.recordAttempt(attempt(1, { resourceArn: '=HYPERLINK("http://evil")' }));
    store.recordOutcome(auditId, { success: true, durationMs: 3 });
    const text = async (s: NodeJS.ReadableStream) => {
      let out = '';
      for await (const chunk of s) out += String(chunk);
      return out;
    };
    const jsonl = (await text(store.export({ format: 'jsonl' })))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jsonl.map((e) => e.sequence)).toEqual([1, 2]);
    expect(jsonl[1].outcome).toEqual({ success: true, durationMs: 3 });
    const since = (await text(store.export({ format: 'jsonl', since: '2026-01-15T00:00:00Z' }))).trim().split('\n');
    expect(since).toHaveLength(1);
    const csv = (await text(store.export({ format: 'csv' }))).trim().split('\n');
    expect(csv[0]).toMatch(/^sequence,auditId,kind,/);
    expect(csv).toHaveLength(3);
    // A value that a spreadsheet would run as a formula is defused.
    expect(csv[2]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const raw = (await text(store.export({ format: 'jsonl', raw: true })))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row2);
    expect(raw).toHaveLength(3);
    for (const row of raw) expect(rowHash(row)).toBe(row.hash);
    expect(() => store.export({ format: 'xml' as never })).toThrow(/format must be jsonl or csv/);
    expect(() => store.export({ format: 'csv', since: 'yesterday' })).toThrow(/since must be an ISO 8601/);
  });

  it('cleans up by age with a checkpoint, and the remaining chain verifies', async () => {
    let now = new Date('2026-01-01T00:00:00.000Z');
    await store.close();
    store = AuditStore.open({ path: join(dir, 'audit.db'), clock: () => now });
    for (let i = 0; i < 5; i += 1) store.append(attempt(i));
    now = new Date('2026-03-01T00:00:00.000Z');
    for (let i = 0; i < 3; i += 1) store.append(attempt(i));
    const oldHead = store.head();
    const result = store.cleanup({ retentionDays: 30 });
    expect(result.removed).toBe(5);
    expect(result.checkpoint?.data).toMatchObject({ prunedThroughSequence: 5, removedCount: 5, retentionDays: 30 });
    expect(result.head?.sequence).toBe(9);
    const verified = store.verify({ anchor: oldHead as { sequence: number; hash: string } });
    expect(verified).toMatchObject({ ok: true, checked: 4, firstSequence: 6, anchor: 'matched' });
    expect(store.cleanup({ retentionDays: 30 }).removed).toBe(0);
  });

  it('cleans up to maxEntries (the checkpoint counts), again and again, keeping one valid chain', () => {
    for (let i = 0; i < 20; i += 1) store.append(attempt(i));
    const early = store.head();
    expect(store.cleanup({ maxEntries: 10 }).removed).toBe(11);
    expect(store.count()).toBe(10);
    for (let i = 0; i < 7; i += 1) store.append(attempt(i));
    expect(store.cleanup({ maxEntries: 5 }).removed).toBe(13);
    expect(store.count()).toBe(5);
    const result = store.verify({ anchor: early as { sequence: number; hash: string } });
    expect(result).toMatchObject({ ok: true, checked: 5, anchor: 'pruned' });
  });

  it('refuses deletion outside cleanup with the append-only triggers', () => {
    store.append(attempt(0));
    expect(() => sqlite(store.path, 'DELETE FROM audit_entries;')).toThrow(/removed only by a retention cleanup/);
    expect(() => sqlite(store.path, setBodyField(1, 'decision', 'blocked'))).toThrow(/append-only/);
    expect(store.verify().ok).toBe(true);
  });

  it('rejects bad cleanup options', () => {
    expect(() => store.cleanup({})).toThrow(/needs retentionDays, maxEntries or both/);
    expect(() => store.cleanup({ maxEntries: 0 })).toThrow(/maxEntries must be a whole number >= 1/);
    expect(() => store.cleanup({ retentionDays: -1 })).toThrow(/retentionDays must be a number >= 0/);
  });

  it('keys the chain with HMAC when given a key, and refuses a wrong or missing key', async () => {
    await store.close();
    const path = join(dir, 'keyed.db');
    const key = 'k'.repeat(32);
    store = AuditStore.open({ path, key });
    store.append(attempt(0));
    expect(store.verify().ok).toBe(true);
    await store.close();
    expect(() => AuditStore.open({ path })).toThrow(
      expect.objectContaining({ code: AuditStoreErrorCode.KEY_MISMATCH }),
    );
    expect(() => AuditStore.open({ path, key: 'x'.repeat(32) })).toThrow(/not the key this store was created with/);
    // A forger without the key who edits a row and re-computes a plain SHA-256 is caught.
    const row = sqliteRows<Row2>(path, 'SELECT * FROM audit_entries;')[0] as Row2;
    const body = JSON.stringify({ ...JSON.parse(row.body), decision: 'blocked' });
    sqlite(
      path,
      `DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET body = '${body}', hash = '${rowHash({ ...row, body })}' WHERE seq = 1;`,
    );
    // The same edit with the right key would verify: the key is what stops the forger.
    expect(rowHash({ ...row, body }, key)).not.toBe(rowHash({ ...row, body }));
    store = AuditStore.open({ path, key, readonly: true });
    expect(store.verify().firstBad).toMatchObject({ sequence: 1, reason: 'edited' });
  });

  it('logs each entry and the session end with the chain head to the security log', async () => {
    const { createMemoryLogFiles } = await import('../../src/logging/index.js');
    const logs = createMemoryLogFiles();
    await store.close();
    store = AuditStore.open({ path: join(dir, 'audit.db'), loggers: logs });
    store.append(attempt(0));
    store.append(
      attempt(1, {
        decision: 'blocked',
        operationType: 'mutating',
        operation: 'TerminateInstances',
        riskLevel: 'HIGH',
      }),
    );
    const head = store.head();
    await store.close();
    const lines = logs.lines.security.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'audit_session_start', store: store.storeId, path: store.path });
    expect(lines[2]).toMatchObject({ level: 'warn', event: 'audit_attempt', decision: 'blocked', sequence: 2 });
    const end = lines.at(-1);
    expect(end).toMatchObject({
      event: 'audit_session_end',
      appended: 2,
      head,
      anchor: `${head?.sequence}:${head?.hash}`,
    });
    expect(JSON.parse(logs.lines.production.at(-1) ?? '{}')).toMatchObject({ event: 'audit_session_end', head });
    expect(readFileSync(join(dir, 'audit.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it("logs a transaction of several entries as one security-log line with each entry's hash; the head check reads it back", async () => {
    const { createLogFiles } = await import('../../src/logging/index.js');
    const { checkAgainstLog } = await import('../../src/audit/index.js');
    const logDir = join(dir, 'logs');
    const logs = createLogFiles({ directory: logDir });
    await store.close();
    const path = join(dir, 'staged.db');
    store = AuditStore.open({ path, loggers: { security: logs.security } });
    // Four attempts staged in one task: one transaction. Then their outcomes with one more attempt: another.
    const first = [0, 1, 2, 3].map((i) => store.stageAttempt(attempt(i)));
    await Promise.all(first.map((s) => s.committed));
    for (const s of first) store.stageOutcome(s.auditId, { success: true, durationMs: 2 });
    const last = store.stageAttempt(attempt(4));
    await last.committed;
    await last.durable;
    expect(store.writeStats.transactions).toBe(2);
    await logs.close();
    const lines = readFileSync(join(logDir, 'inventag_security_audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { event: string; sequence?: number; hash?: string; entries?: Record<string, unknown>[] },
      );
    const batches = lines.filter((l) => l.event === 'audit_entries');
    expect(lines.filter((l) => l.event !== 'audit_session_start')).toEqual(batches);
    expect(batches.map((b) => b.entries?.length)).toEqual([4, 5]);
    // Every entry's sequence and hash are the store's; the line's own are its last entry's, the head it left.
    const rows = sqliteRows<{ seq: number; hash: string; audit_id: string; kind: string }>(
      path,
      'SELECT seq, hash, audit_id, kind FROM audit_entries ORDER BY seq;',
    );
    const logged = batches.flatMap((b) => b.entries ?? []);
    expect(logged.map((e) => [e.sequence, e.hash, e.auditId, e.kind])).toEqual(
      rows.map((r) => [r.seq, r.hash, r.audit_id, r.kind]),
    );
    expect(logged.filter((e) => e.kind === 'outcome').map((e) => e.refAuditId)).toEqual(first.map((s) => s.auditId));
    for (const b of batches)
      expect([b.sequence, b.hash]).toEqual([b.entries?.at(-1)?.sequence, b.entries?.at(-1)?.hash]);
    expect(checkAgainstLog(logDir, store, path)?.check.status).toBe('same');
    // The newest rows deleted behind the store's back: the logged head is ahead of the store.
    await store.close();
    sqlite(path, 'DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE seq > 6;');
    store = AuditStore.open({ path, readonly: true });
    const after = checkAgainstLog(logDir, store, path);
    expect(after?.known.head).toEqual({ sequence: 9, hash: rows.at(-1)?.hash });
    expect(after?.check.status).toBe('behind');
  });

  it("writes a group commit's security-log line once the task that committed it has run, in commit order, before the store's next line", async () => {
    const { createMemoryLogFiles } = await import('../../src/logging/index.js');
    const logs = createMemoryLogFiles();
    await store.close();
    store = AuditStore.open({ path: join(dir, 'later.db'), loggers: logs });
    const events = () => logs.lines.security.map((l) => (JSON.parse(l) as { event: string; sequence?: number }).event);
    const staged = store.stageAttempt(attempt(0));
    await staged.committed;
    // Committed (the guard sends the request now); its line is not written on the way.
    expect(events()).toEqual(['audit_session_start']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events()).toEqual(['audit_session_start', 'audit_attempt']);
    // A staged outcome's line, then a synchronous append's: the pending line is written first.
    store.stageOutcome(staged.auditId, { success: true, durationMs: 3 });
    const next = store.stageAttempt(attempt(1));
    await next.committed;
    store.append(attempt(2));
    const lines = logs.lines.security.map((l) => JSON.parse(l) as { event: string; sequence?: number });
    expect(lines.map((l) => [l.event, l.sequence])).toEqual([
      ['audit_session_start', undefined],
      ['audit_attempt', 1],
      ['audit_entries', 3],
      ['audit_attempt', 4],
    ]);
    await store.close();
    expect(events().at(-1)).toBe('audit_session_end');
  });

  it('a process that exits right after a group commit still writes its security-log line', async () => {
    const dist = (p: string) => pathToFileURL(resolve(__dirname, '..', '..', 'dist', p)).href;
    const logDir = join(dir, 'exit-logs');
    const script = `
      const { AuditStore } = await import(${JSON.stringify(dist('audit/index.js'))});
      const { createLogFiles } = await import(${JSON.stringify(dist('logging/index.js'))});
      const logs = createLogFiles({ directory: ${JSON.stringify(logDir)} });
      const store = AuditStore.open({ path: ${JSON.stringify(join(dir, 'exit.db'))}, loggers: { security: logs.security } });
      const staged = store.stageAttempt(${JSON.stringify(attempt(0))});
      await staged.committed;
      process.exit(0);
    `;
    execFileSync(process.execPath, ['--input-type=module', '-e', script]);
    const events = readFileSync(join(logDir, 'inventag_security_audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toEqual(['audit_session_start', 'audit_attempt']);
  });
});
