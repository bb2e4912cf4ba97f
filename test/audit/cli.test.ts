import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, formatAnchor, type ChainHead } from '../../src/audit/index.js';
import { attempt, runAuditCli, setBodyField, sqlite, tempDir } from './helpers.js';

describe('inventag audit', () => {
  let dir: string;
  let cleanup: () => void;
  let store: string;
  let head: ChainHead;
  let ids: string[];
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    store = join(dir, 'audit.db');
    const s = AuditStore.open({ path: store, clock: () => new Date('2026-01-10T00:00:00Z') });
    ids = [];
    for (let i = 0; i < 6; i += 1) {
      const { auditId } = s.recordAttempt(
        attempt(
          i,
          i === 5
            ? {
                decision: 'blocked',
                operationType: 'mutating',
                operation: 'TerminateInstances',
                iamAction: 'ec2:TerminateInstances',
                riskLevel: 'CRITICAL',
              }
            : {},
        ),
      );
      s.recordOutcome(auditId, {
        success: i !== 3,
        ...(i === 3 ? { errorCode: 'ThrottlingException' } : {}),
        durationMs: 10 + i,
      });
      ids.push(auditId);
    }
    head = s.head() as ChainHead;
    await s.close();
  });
  afterEach(() => cleanup());

  it('takes the store path and the retention defaults from the configuration', async () => {
    // Prepare: 12 entries (6 attempts, 6 outcomes); the configuration keeps 5.
    const cfg = join(dir, 'inventag.config.yaml');
    writeFileSync(cfg, `auditStore: ${JSON.stringify(store)}\nauditLogRetentionDays: 3650\nmaxAuditEntries: 5\n`);
    // Act: no --store, no --retention-days, no --max-entries.
    const verify = await runAuditCli(['audit', 'verify', '--json'], { cwd: dir });
    const clean = await runAuditCli(['audit', 'cleanup', '--json'], { cwd: dir });
    // Assess
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, store });
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).removed).toBe(8);
    const after = AuditStore.open({ path: store, readonly: true });
    expect(after.count()).toBe(5);
    expect(after.verify().ok).toBe(true);
    after.closeSync();
    const viaEnv = await runAuditCli(['audit', 'tail', '-n', '1', '--json'], {
      cwd: join(dir, '..'),
      env: { INVENTAG_AUDIT_STORE: store },
    });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ sequence: 13, kind: 'checkpoint' });
  });

  it('verify: exit 0 and the head when intact; --json for machines', async () => {
    const text = await runAuditCli(['audit', 'verify', '--store', store, '--anchor', formatAnchor(head)]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('intact: 12 entries checked (1..12), anchor matched');
    expect(text.stdout).toContain(`head ${formatAnchor(head)}`);
    const json = await runAuditCli(['audit', 'verify', '--store', store, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, checked: 12, head, anchorText: formatAnchor(head) });
  });

  it('verify: exit 4 naming the first bad entry when a row was edited', async () => {
    sqlite(store, `DROP TRIGGER audit_entries_no_update; ${setBodyField(11, 'decision', 'allowed')}`);
    const r = await runAuditCli(['audit', 'verify', '--store', store]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(`TAMPERED: first bad entry #11 (${ids[5]}): edited`);
    expect(r.stderr).toMatch(/warning: the append-only triggers audit_entries_no_update were removed/);
  });

  it('verify: exit 4 when the newest entries were dropped, against an anchor', async () => {
    sqlite(store, 'DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE seq > 10;');
    const r = await runAuditCli(['audit', 'verify', '--store', store, '--anchor', formatAnchor(head), '--json']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).firstBad).toMatchObject({ sequence: 11, reason: 'truncated' });
  });

  it('verify: bad arguments and unreadable stores', async () => {
    const badAnchor = await runAuditCli(['audit', 'verify', '--store', store, '--anchor', '12:xyz']);
    expect(badAnchor.code).toBe(2);
    expect(badAnchor.stderr).toMatch(/--anchor must be SEQ:HASH/);
    const missing = await runAuditCli(['audit', 'verify', '--store', join(dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.db: no audit store exists at this path/);
    const notDb = join(dir, 'notes.txt');
    writeFileSync(notDb, 'plain text '.repeat(20));
    const tampered = await runAuditCli(['audit', 'verify', '--store', notDb]);
    expect(tampered.code).toBe(4);
    expect(tampered.stderr).toMatch(/notes\.txt: .*not an SQLite database.*cannot be proved intact/);
  });

  it('export: JSON lines and CSV with merged outcomes, --since, --out', async () => {
    const jsonl = await runAuditCli(['audit', 'export', '--store', store, '--format', 'jsonl']);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const entries = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(6);
    expect(entries[3]).toMatchObject({
      auditId: ids[3],
      outcome: { success: false, errorCode: 'ThrottlingException', durationMs: 13 },
    });
    const out = join(dir, 'exports', 'trail.csv');
    const csv = await runAuditCli(['audit', 'export', '--store', store, '--format', 'csv', '--out', out]);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(7);
    expect(rows[6]).toContain(',blocked,CRITICAL,');
    const later = await runAuditCli(['audit', 'export', '--store', store, '--since', '2026-02-01T00:00:00Z']);
    expect(later.stdout).toBe('');
    const bad = await runAuditCli(['audit', 'export', '--store', store, '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be jsonl or csv; got "xml"/);
    const badSince = await runAuditCli(['audit', 'export', '--store', store, '--since', 'last tuesday']);
    expect(badSince.code).toBe(2);
  });

  it('tail: the newest entries, as text or JSON lines', async () => {
    const r = await runAuditCli(['audit', 'tail', '--store', store, '-n', '2']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^#11 2026-01-10T00:00:00.000Z BLOCKED ec2:TerminateInstances \(ec2:TerminateInstances\) CRITICAL ok 15.0ms$/,
    );
    const json = await runAuditCli(['audit', 'tail', '--store', store, '--json', '-n', '1']);
    expect(JSON.parse(json.stdout)).toMatchObject({ sequence: 11, decision: 'blocked' });
  });

  it('cleanup: removes old entries with a checkpoint; verify still passes', async () => {
    const typo = await runAuditCli(['audit', 'cleanup', '--store', join(dir, 'typo.db'), '--max-entries', '5']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/typo\.db: no audit store exists at this path/);
    expect(existsSync(join(dir, 'typo.db'))).toBe(false);
    const badN = await runAuditCli(['audit', 'cleanup', '--store', store, '--max-entries', 'ten']);
    expect(badN.code).toBe(2);
    expect(badN.stderr).toMatch(/--max-entries must be a whole number >= 1; got "ten"/);
    const r = await runAuditCli(['audit', 'cleanup', '--store', store, '--max-entries', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      removed: 8,
      checkpoint: { sequence: 13, data: { prunedThroughSequence: 8 } },
    });
    const byAge = await runAuditCli(['audit', 'cleanup', '--store', store, '--retention-days', '30']);
    expect(byAge.code, byAge.stderr).toBe(0);
    const v = await runAuditCli(['audit', 'verify', '--store', store, '--anchor', formatAnchor(head)]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/intact: \d+ entries checked/);
  });
});
