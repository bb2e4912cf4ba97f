import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { decodeAttempts } from '../../src/audit/attemptColumns.js';
import { WalkShare } from '../../src/audit/walkShare.js';
import { ROOT } from '../support/cli.js';
import { attempt, copyWithDamagedIndex, sqlite, tempDir } from './helpers.js';

// A worker walks a large trail from its oldest entry on; the thread that started it, once idle, takes the
// newest half of what is left and walks that itself. The joined result must be exactly the one-thread read's,
// whatever the trail holds and wherever the two parts meet. The worker runs only from the build (dist/).
const dist = (path: string): string => pathToFileURL(resolve(ROOT, 'dist', path)).href;
type Thread = typeof import('../../src/audit/attemptsThread.js');
type Store = typeof import('../../src/audit/AuditStore.js');

describe('WalkShare', () => {
  it('gives the worker pages up to what the other thread took, and the taker half of the rest', () => {
    const share = WalkShare.create();
    const worker = new WalkShare(share.buffer);
    expect(worker.claim(-1, 100)).toBe(99);
    expect(worker.claim(99, 100)).toBe(199);
    // 199 claimed, the chain ends at 1,199: the newest 500 are taken.
    expect(share.take(1199, 1000)).toBe(699);
    expect(share.taken).toBe(699);
    expect(share.take(1199, 1)).toBeUndefined();
    expect(worker.claim(199, 400)).toBe(599);
    expect(worker.claim(599, 400)).toBe(699);
    expect(worker.claim(699, 400)).toBeUndefined();
    expect(worker.close()).toBe(true);
    expect(worker.split).toBe(true);
  });

  it('takes nothing when too little is left, once the worker is done, or beyond 32-bit sequence numbers', () => {
    const share = WalkShare.create();
    const worker = new WalkShare(share.buffer);
    worker.claim(-1, 1000);
    expect(share.take(1500, 1000)).toBeUndefined();
    expect(share.take(2 ** 31, 1)).toBeUndefined();
    expect(worker.close()).toBe(false);
    expect(share.take(1_000_000, 1)).toBeUndefined();
    expect(worker.claim(999, 1000)).toBeUndefined();
  });
});

/** `n` guarded calls; with `lateOutcomes`, every outcome is written after all the attempts. */
async function trail(path: string, n: number, lateOutcomes = false): Promise<void> {
  let now = Date.parse('2026-11-20T00:00:00Z');
  const store = AuditStore.open({ path, durability: 'normal', clock: () => new Date((now += 500)) });
  const pending: string[] = [];
  const outcome = (auditId: string, i: number): void =>
    void store.stageOutcome(auditId, {
      success: i % 7 !== 0,
      ...(i % 7 === 0 ? { errorCode: `Throttling${i % 3}` } : {}),
      durationMs: 80 + (i % 40),
      httpStatus: i % 7 ? 200 : 400,
    });
  for (let i = 0; i < n; i++) {
    const { auditId } = store.stageAttempt(attempt(i, { requestParameters: { Filler: 'p'.repeat(200), i } }));
    if (i % 23 === 0) continue;
    if (lateOutcomes) pending.push(auditId);
    else outcome(auditId, i);
  }
  await store.flush();
  pending.forEach((id, i) => outcome(id, i));
  await store.close();
}

describe('a trail walked by a worker and the thread that started it', () => {
  let dir: string;
  let cleanup: () => void;
  let paired: string;
  let late: string;
  let thread: Thread;
  let Built: Store['AuditStore'];

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    paired = join(dir, 'paired.db');
    late = join(dir, 'late.db');
    await trail(paired, 12_000);
    await trail(late, 8_000, true);
    thread = (await import(dist('audit/attemptsThread.js'))) as Thread;
    ({ AuditStore: Built } = (await import(dist('audit/AuditStore.js'))) as Store);
  }, 180_000);
  afterAll(() => cleanup());

  const inline = (path: string) => {
    const store = AuditStore.open({ path, readonly: true });
    try {
      return store.verifyWithAttempts();
    } finally {
      store.closeSync();
    }
  };

  /** The read with this thread helping at once; `taken` says where the parts met (undefined: no split). */
  const shared = async (path: string) => {
    const read = thread.startAttemptsRead(path, undefined, 0)!;
    const store = Built.open({ path, readonly: true });
    try {
      const { columns, ...rest } = await store.verifyWithAttemptColumnsAsync(read, { help: Promise.resolve() });
      return { result: { ...rest, attempts: decodeAttempts(columns) }, taken: read.share?.taken };
    } finally {
      store.closeSync();
    }
  };

  it('joins the two parts into the one-thread read, outcomes across the meeting point included', async () => {
    for (const path of [paired, late]) {
      const { result, taken } = await shared(path);
      const expected = inline(path);
      expect(taken).toBeGreaterThan(0);
      expect(expected.verify.ok).toBe(true);
      expect(result).toStrictEqual(expected);
    }
    // In the late trail every outcome record sits in the newest part, after the attempt it completes.
    const { result } = await shared(late);
    expect(result.attempts.filter((a) => a.outcome !== undefined)).toHaveLength(8_000 - Math.ceil(8_000 / 23));
  });

  it('finds what the one-thread read finds, on either side of the meeting point', async () => {
    const cases: [string, string][] = [
      ['older', `UPDATE audit_entries SET body = json_set(body, '$.decision', 'blocked') WHERE seq = 101;`],
      ['newest', `UPDATE audit_entries SET body = json_set(body, '$.decision', 'blocked') WHERE seq = 23000;`],
      // Around the middle, where the parts meet: rows gone.
      ['gap', `DELETE FROM audit_entries WHERE seq BETWEEN 11500 AND 12600;`],
      // An outcome record pointed at another attempt of the older part.
      [
        'moved',
        `UPDATE audit_entries SET ref_audit_id = (SELECT audit_id FROM audit_entries WHERE seq = 3)
          WHERE seq = (SELECT MAX(seq) FROM audit_entries WHERE kind = 'outcome');`,
      ],
    ];
    for (const [name, edit] of cases) {
      const path = join(dir, `${name}.db`);
      cpSync(paired, path);
      sqlite(
        path,
        `DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;
         DROP INDEX IF EXISTS audit_entries_outcome_ref; ${edit}`,
      );
      const expected = inline(path);
      const { result, taken } = await shared(path);
      expect(taken, name).toBeGreaterThan(0);
      expect(expected.verify.ok, name).toBe(false);
      expect(result, name).toStrictEqual(expected);
    }
  });

  it('an outcome record written before its attempt, across the meeting point, reads as the join pairs it', async () => {
    const path = join(dir, 'swapped.db');
    cpSync(late, path);
    // The outcome record of the second-newest attempt (in the newest part) renumbered to sequence 0, older than
    // every attempt: the worker's part meets it, the attempt is in the other part.
    sqlite(
      path,
      `DROP TRIGGER audit_entries_no_update;
       UPDATE audit_entries SET seq = 0 WHERE kind = 'outcome' AND ref_audit_id =
         (SELECT audit_id FROM audit_entries WHERE kind = 'attempt' ORDER BY seq DESC LIMIT 1 OFFSET 1);`,
    );
    const expected = inline(path);
    const { result, taken } = await shared(path);
    expect(taken).toBeGreaterThan(0);
    expect(expected.attempts.at(-2)?.outcome).toBeDefined();
    expect(result).toStrictEqual(expected);
  });

  it('an attempt of the newest part with the audit id of an older one (a rebuilt table) reads as the join pairs it', async () => {
    const path = join(dir, 'duplicate.db');
    cpSync(paired, path);
    sqlite(
      path,
      `CREATE TABLE copy AS SELECT * FROM audit_entries; DROP TABLE audit_entries;
       ALTER TABLE copy RENAME TO audit_entries;
       UPDATE audit_entries SET audit_id = (SELECT ref_audit_id FROM audit_entries WHERE kind = 'outcome' ORDER BY seq LIMIT 1)
         WHERE seq = (SELECT MAX(seq) FROM audit_entries WHERE kind = 'attempt');`,
    );
    const expected = inline(path);
    const { result, taken } = await shared(path);
    expect(taken).toBeGreaterThan(0);
    // The join gives the newest attempt the outcome of the older one with its id.
    expect(expected.attempts.at(-1)?.outcome).toStrictEqual(expected.attempts.find((a) => a.outcome)?.outcome);
    expect(result).toStrictEqual(expected);
  });

  it("the worker checks the file's pages when it is done first, and damage only that check sees still fails the read", async () => {
    const never = new Promise<void>(() => undefined);
    const read = thread.startAttemptsRead(paired, undefined, 0)!;
    const store = Built.open({ path: paired, readonly: true });
    try {
      const { columns, ...rest } = await store.verifyWithAttemptColumnsAsync(read, { help: never });
      expect({ ...rest, attempts: decodeAttempts(columns) }).toStrictEqual(inline(paired));
      // The worker took the check: nobody can take it again.
      expect(read.share?.claimPages()).toBe(false);
      expect(read.share?.taken).toBeUndefined();
    } finally {
      store.closeSync();
    }
    const damaged = join(dir, 'damaged-index.db');
    copyWithDamagedIndex(paired, damaged);
    const reading = Built.open({ path: damaged, readonly: true });
    try {
      const started = thread.startAttemptsRead(damaged, undefined, 0)!;
      await expect(reading.verifyWithAttemptColumnsAsync(started, { help: never })).rejects.toThrow(
        /the database file is damaged/,
      );
      expect(started.share?.claimPages()).toBe(false);
    } finally {
      reading.closeSync();
    }
  });
});
