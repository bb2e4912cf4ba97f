import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { decodeAttempts, eachAttempt, encodeAttempts } from '../../src/audit/attemptColumns.js';
import { FIXTURES, sqlite, tempDir, writeVariedStore } from './helpers.js';

// verifyWithAttempts() reads the chain once for what `inventag check` needs of a trail: it must give exactly
// what verify(), attempts() and count() give one after the other, on intact and on edited stores.
const separately = (store: AuditStore) => ({
  verify: store.verify(),
  attempts: [...store.attempts()],
  stored: store.count(),
});

const expectSameAsSeparately = (store: AuditStore): ReturnType<typeof separately> => {
  const expected = separately(store);
  const got = store.verifyWithAttempts();
  expect(got.verify).toStrictEqual(expected.verify);
  expect(got.stored).toBe(expected.stored);
  expect(got.attempts).toStrictEqual(expected.attempts);
  // The same keys in the same order (reports are compared byte for byte).
  expect(JSON.stringify(got.attempts)).toBe(JSON.stringify(expected.attempts));
  const columns = encodeAttempts(expected.attempts);
  expect(decodeAttempts(columns)).toStrictEqual(expected.attempts);
  // Built as they are read, as often as they are read.
  const lazy = eachAttempt(columns);
  expect([...lazy]).toStrictEqual(expected.attempts);
  expect(JSON.stringify([...lazy])).toBe(JSON.stringify(expected.attempts));
  return expected;
};

describe('AuditStore.verifyWithAttempts: verify, attempts and count in one read', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'audit.db');
    await writeVariedStore(path);
  });
  afterEach(() => cleanup());

  it('an intact store after a cleanup: outcomes merged wherever they sit, blocked calls, missing outcomes', async () => {
    const store = AuditStore.open({ path, readonly: true });
    const { verify, attempts } = expectSameAsSeparately(store);
    expect(verify.ok).toBe(true);
    expect(attempts.length).toBeGreaterThan(1000);
    expect(attempts.some((a) => a.outcome === undefined)).toBe(true);
    expect(attempts.some((a) => a.identity === undefined)).toBe(true);
    expect(attempts.some((a) => a.identity?.account === undefined && a.identity?.arn !== undefined)).toBe(true);
    expect(attempts.some((a) => a.outcome?.httpStatus === undefined && a.outcome?.errorCode !== undefined)).toBe(true);
    expect(attempts.some((a) => a.decision === 'blocked' && a.outcome?.errorCode === 'Blocked')).toBe(true);
    // Without a worker thread (run from source) the async form reads here, with the same result.
    expect(await store.verifyWithAttemptsAsync()).toStrictEqual(store.verifyWithAttempts());
    store.closeSync();
  });

  it('edited bodies, and rows after the one verify stops at: still read as attempts() reads them', () => {
    sqlite(
      path,
      `DROP TRIGGER audit_entries_no_update;
       UPDATE audit_entries SET body = json_set(body, '$.service', json('{"not":"a string"}')) WHERE seq = (SELECT min(seq) + 40 FROM audit_entries WHERE kind = 'attempt');
       UPDATE audit_entries SET body = 'not json' WHERE seq = (SELECT max(seq) - 20 FROM audit_entries WHERE kind = 'attempt');
       UPDATE audit_entries SET body = '[1,2]' WHERE seq = (SELECT max(seq) - 30 FROM audit_entries WHERE kind = 'attempt');
       UPDATE audit_entries SET body = json_set(body, '$.outcome_success', 'yes') WHERE seq = (SELECT max(seq) FROM audit_entries WHERE kind = 'outcome');
       UPDATE audit_entries SET body = json_set(body, '$.outcome_duration_us', 'slow', '$.outcome_http_status', json('1e400')) WHERE seq = (SELECT max(seq) - 10 FROM audit_entries WHERE kind = 'outcome');
       UPDATE audit_entries SET body = json_set(body, '$.identity_arn', 7, '$.session_id', json('null')) WHERE seq = (SELECT max(seq) - 50 FROM audit_entries WHERE kind = 'attempt');`,
    );
    const store = AuditStore.open({ path, readonly: true });
    const { verify } = expectSameAsSeparately(store);
    expect(verify.ok).toBe(false);
    expect(verify.firstBad?.reason).toBe('edited');
    store.closeSync();
  });

  it('deleted rows (a gap), and a chain that does not start at a checkpoint', () => {
    sqlite(
      path,
      `DROP TRIGGER audit_entries_no_delete;
       DELETE FROM audit_entries WHERE seq BETWEEN (SELECT min(seq) + 100 FROM audit_entries) AND (SELECT min(seq) + 104 FROM audit_entries);`,
    );
    let store = AuditStore.open({ path, readonly: true });
    expect(expectSameAsSeparately(store).verify.firstBad?.reason).toBe('deleted');
    store.closeSync();
    sqlite(path, `DELETE FROM audit_entries WHERE seq <= (SELECT min(seq) + 3 FROM audit_entries);`);
    store = AuditStore.open({ path, readonly: true });
    expect(expectSameAsSeparately(store).verify.ok).toBe(false);
    store.closeSync();
  });

  it('outcome records the join pairs otherwise than chain order: before their attempt, twice, below sequence 0', () => {
    // An outcome record that names a later attempt: the join still merges it.
    sqlite(
      path,
      `DROP TRIGGER audit_entries_no_update;
       UPDATE audit_entries SET ref_audit_id = (SELECT audit_id FROM audit_entries a WHERE kind = 'attempt'
           AND NOT EXISTS (SELECT 1 FROM audit_entries o WHERE o.kind = 'outcome' AND o.ref_audit_id = a.audit_id) ORDER BY seq DESC LIMIT 1)
         WHERE seq = (SELECT seq FROM audit_entries WHERE kind = 'outcome' ORDER BY seq LIMIT 1 OFFSET 20);`,
    );
    let store = AuditStore.open({ path, readonly: true });
    expectSameAsSeparately(store);
    store.closeSync();
    // Two records for one attempt (the unique index dropped): the join lists that attempt twice.
    sqlite(
      path,
      `DROP INDEX audit_entries_outcome_ref;
       UPDATE audit_entries SET ref_audit_id = (SELECT ref_audit_id FROM audit_entries WHERE kind = 'outcome' ORDER BY seq DESC LIMIT 1)
         WHERE seq = (SELECT seq FROM audit_entries WHERE kind = 'outcome' ORDER BY seq DESC LIMIT 1 OFFSET 7);`,
    );
    store = AuditStore.open({ path, readonly: true });
    expect(new Set(separately(store).attempts.map((a) => a.sequence)).size).toBeLessThan(
      separately(store).attempts.length,
    );
    expectSameAsSeparately(store);
    store.closeSync();
    // An outcome row below sequence 0, which the chain walk does not read.
    sqlite(
      path,
      `INSERT INTO audit_entries (seq, audit_id, kind, timestamp, ref_audit_id, body, prev_hash, hash)
         SELECT -5, 'x-' || audit_id, 'outcome', timestamp, audit_id, '{"outcome_success":1,"outcome_duration_us":5}', '0', '0'
         FROM audit_entries WHERE kind = 'attempt' AND seq = (SELECT max(seq) FROM audit_entries WHERE kind = 'attempt' AND audit_id NOT IN (SELECT ref_audit_id FROM audit_entries WHERE kind = 'outcome' AND ref_audit_id IS NOT NULL));`,
    );
    store = AuditStore.open({ path, readonly: true });
    expectSameAsSeparately(store);
    store.closeSync();
  });

  it('an attempt whose audit id is not text', () => {
    sqlite(
      path,
      `DROP TRIGGER audit_entries_no_update;
       UPDATE audit_entries SET audit_id = x'0102' WHERE seq = (SELECT seq FROM audit_entries WHERE kind = 'attempt' ORDER BY seq LIMIT 1 OFFSET 60);`,
    );
    const store = AuditStore.open({ path, readonly: true });
    expectSameAsSeparately(store);
    store.closeSync();
  });

  it("a damaged file: the same error as verify()'s, the page check run on this thread or not", () => {
    const bytes = readFileSync(path);
    bytes.fill(0xab, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 8192);
    writeFileSync(path, bytes);
    const store = AuditStore.open({ path, readonly: true });
    const error = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    const expected = error(() => store.verify());
    expect(expected).toMatch(/malformed|damaged/);
    expect(error(() => store.verifyWithAttempts())).toBe(expected);
    expect(error(() => store.verifyWithAttemptColumns({ pageCheck: 'here' }))).toBe(expected);
    store.closeSync();
  });

  it('a format-1 store', () => {
    const old = join(dir, 'old.db');
    copyFileSync(join(FIXTURES, 'format1.db'), old);
    const store = AuditStore.open({ path: old, readonly: true });
    expect(store.format).toBe(1);
    expect(expectSameAsSeparately(store).attempts.length).toBeGreaterThan(0);
    store.closeSync();
  });

  it('an empty store', () => {
    const empty = join(dir, 'empty.db');
    AuditStore.open({ path: empty }).closeSync();
    const store = AuditStore.open({ path: empty, readonly: true });
    expect(expectSameAsSeparately(store).attempts).toEqual([]);
    store.closeSync();
  });
});
