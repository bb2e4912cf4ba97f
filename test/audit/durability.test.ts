import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, type AuditRow } from '../../src/audit/index.js';
import { FIXTURES, ROOT, runNode, sqliteRows, tempDir } from './helpers.js';

const APPENDER = join(FIXTURES, 'appender.mjs');

/**
 * Starts an appender, SIGKILLs it once `killAfter` acknowledgements arrived (and, with `after`, once it said
 * that line too), and returns the acknowledged entries and the other lines it said.
 */
function appendThenKill(
  path: string,
  mode: string,
  killAfter: number,
  after?: string,
): Promise<{ acked: Map<string, number>; signal: NodeJS.Signals | null; said: Set<string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPENDER, path, mode, '1000000'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, number>();
    const said = new Set<string>();
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [seq, id] = line.split(' ');
        if (seq && id) acked.set(id, Number(seq));
        else if (seq) said.add(seq);
      }
      const ready = after === undefined || said.has(after);
      if (acked.size >= killAfter && ready && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`appender ended with ${code} before it was killed: ${stderr}`));
      else resolve({ acked, signal, said });
    });
  });
}

describe('durability and concurrency', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  for (const mode of ['single', 'batch', 'enqueue', 'staged', 'durable']) {
    it(`every ${mode} append that returned survives SIGKILL mid-stream, and the chain verifies`, async () => {
      const path = join(dir, `${mode}.db`);
      // Batches: killed only once the store's writer thread commits them, in parts (it starts with the first).
      const killAfter = mode === 'batch' ? 4000 : 400;
      const { acked, signal, said } = await appendThenKill(
        path,
        mode,
        killAfter,
        mode === 'batch' ? 'thread' : undefined,
      );
      expect(signal).toBe('SIGKILL');
      expect(acked.size).toBeGreaterThanOrEqual(killAfter);
      if (mode === 'batch') expect(said.has('thread')).toBe(true);
      const stored = new Map(
        sqliteRows<Pick<AuditRow, 'seq' | 'audit_id'>>(path, 'SELECT seq, audit_id FROM audit_entries;').map((r) => [
          r.audit_id,
          r.seq,
        ]),
      );
      for (const [id, seq] of acked) expect(stored.get(id), `acknowledged entry ${seq} (${id})`).toBe(seq);
      const store = AuditStore.open({ path });
      try {
        const result = store.verify();
        expect(result.ok).toBe(true);
        expect(result.checked).toBe(stored.size);
        // The store stays usable after the crash: appends continue the same chain.
        const next = store.append({
          service: 'sts',
          operation: 'GetCallerIdentity',
          iamAction: 'sts:GetCallerIdentity',
          operationType: 'read_only',
          decision: 'allowed',
          riskLevel: 'LOW',
          complianceStandard: 'general',
        });
        expect(next.sequence).toBe(stored.size + 1);
        expect(store.verify().ok).toBe(true);
      } finally {
        store.closeSync();
      }
    });
  }

  it('batches that returned survive SIGKILL while the checkpoint thread copies the WAL, and the chain verifies', async () => {
    // 20,000 entries write some 10 MiB of WAL: the checkpoint thread has run several times when the kill comes.
    const path = join(dir, 'checkpointing.db');
    const { acked, signal } = await appendThenKill(path, 'batch', 20_000);
    expect(signal).toBe('SIGKILL');
    // Checkpoints had copied pages into the database file before the kill (it held only the schema before).
    expect(statSync(path).size).toBeGreaterThan(2 ** 20);
    const stored = new Map(
      sqliteRows<Pick<AuditRow, 'seq' | 'audit_id'>>(path, 'SELECT seq, audit_id FROM audit_entries;').map((r) => [
        r.audit_id,
        r.seq,
      ]),
    );
    expect(stored.size).toBeGreaterThanOrEqual(acked.size);
    for (const [id, seq] of acked) expect(stored.get(id), `acknowledged entry ${seq} (${id})`).toBe(seq);
    const store = AuditStore.open({ path, readonly: true });
    try {
      expect(store.verify()).toMatchObject({ ok: true, checked: stored.size });
    } finally {
      store.closeSync();
    }
  }, 120_000);

  it('two processes appending 5,000 entries each keep one valid chain of 10,000', async () => {
    const path = join(dir, 'shared.db');
    // Create the store first so both writers race on appends, not on creating the schema.
    AuditStore.open({ path }).closeSync();
    // One transaction per entry, as in two CLI runs; synchronous=NORMAL keeps
    // 10,000 commits within seconds (locking is the same as with FULL).
    const [a, b] = await Promise.all([
      runNode([APPENDER, path, 'single', '5000', 'normal', 'a'], { timeoutMs: 170_000 }),
      runNode([APPENDER, path, 'single', '5000', 'normal', 'b'], { timeoutMs: 170_000 }),
    ]);
    expect(a.stderr).toBe('');
    expect(b.stderr).toBe('');
    expect(a.stdout.endsWith('done\n') && b.stdout.endsWith('done\n')).toBe(true);
    const seqsA = a.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => Number(l.split(' ')[0]));
    const seqsB = b.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => Number(l.split(' ')[0]));
    expect(seqsA).toHaveLength(5000);
    expect(seqsB).toHaveLength(5000);
    expect(new Set([...seqsA, ...seqsB]).size).toBe(10_000);
    const store = AuditStore.open({ path, readonly: true });
    try {
      const result = store.verify();
      expect(result).toMatchObject({ ok: true, checked: 10_000, firstSequence: 1, head: { sequence: 10_000 } });
    } finally {
      store.closeSync();
    }
    const perSession = sqliteRows<{ n: number }>(
      path,
      "SELECT COUNT(*) AS n FROM audit_entries GROUP BY json_extract(body, '$.session_id');",
    );
    expect(perSession.map((r) => r.n)).toEqual([5000, 5000]);
  }, 180_000);
});
