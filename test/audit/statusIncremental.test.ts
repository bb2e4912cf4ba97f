import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { attempt, runAuditCli, setBodyField, sqlite, tempDir } from './helpers.js';

interface StatusJson {
  audit: {
    entries: number;
    intact: boolean;
    verification: { kind: 'incremental' | 'full'; checked: number; from?: string; reason?: string };
    firstBad?: { sequence: number; reason: string };
  };
}

describe('inventag status verifies from the head it last verified', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'audit.db');
    env = {
      INVENTAG_AUDIT_STORE: path,
      INVENTAG_DATA_DIRECTORY: dir,
      INVENTAG_LOG_DIRECTORY: join(dir, 'logs'),
    };
  });
  afterEach(() => cleanup());

  const append = (from: number, to: number, key?: string) => {
    const store = AuditStore.open({ path, ...(key ? { key } : {}) });
    try {
      for (let i = from; i < to; i++) store.append(attempt(i));
    } finally {
      store.closeSync();
    }
  };
  const status = async (extra: NodeJS.ProcessEnv = {}) => {
    const r = await runAuditCli(['status', '--json'], { env: { ...env, ...extra } });
    return { code: r.code, stderr: r.stderr, json: JSON.parse(r.stdout) as StatusJson };
  };
  const record = () => join(dir, 'verified-head.json');

  it('walks the whole chain once, then only what was appended; says which walk ran', async () => {
    append(0, 20);
    const first = await status();
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.audit.verification).toMatchObject({
      kind: 'full',
      checked: 20,
      reason: 'no verified head recorded yet',
    });
    expect(JSON.parse(readFileSync(record(), 'utf8'))).toMatchObject({ sequence: 20 });
    append(20, 25);
    const next = await status();
    expect(next.code).toBe(0);
    expect(next.json.audit).toMatchObject({ entries: 25, intact: true });
    expect(next.json.audit.verification).toMatchObject({ kind: 'incremental', checked: 5 });
    expect(next.json.audit.verification.from).toMatch(/^20:[0-9a-f]{64}$/);
    const text = await runAuditCli(['status'], { env });
    expect(text.stdout).toMatch(/verified incrementally: 0 entries after the recorded head 25:[0-9a-f]{12}…/);
  });

  it('an entry after the recorded head edited: exit 4, confirmed by a full walk', async () => {
    append(0, 10);
    expect((await status()).code).toBe(0);
    append(10, 15);
    sqlite(path, `DROP TRIGGER audit_entries_no_update; ${setBodyField(13, 'decision', 'blocked')}`);
    const r = await status();
    expect(r.code).toBe(4);
    expect(r.json.audit).toMatchObject({ intact: false, firstBad: { sequence: 13, reason: 'edited' } });
    expect(r.json.audit.verification).toMatchObject({ kind: 'full' });
    expect(r.json.audit.verification.reason).toMatch(/the walk from the recorded head failed/);
  });

  it('the chain rewritten up to the recorded head (its hash changed): exit 4 from the walk anchored at it', async () => {
    append(0, 10);
    expect((await status()).code).toBe(0);
    // Entries 6..10 replaced by others, re-chained: a valid chain, but not the one status verified.
    sqlite(path, 'DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE seq >= 6;');
    append(100, 105);
    const r = await status({ INVENTAG_LOG_DIRECTORY: join(dir, 'no-log') });
    expect(r.code).toBe(4);
    expect(r.json.audit.intact).toBe(false);
    expect(r.json.audit.verification).toMatchObject({ kind: 'full', from: expect.stringMatching(/^10:/) });
  });

  it('the newest verified entries deleted: exit 4', async () => {
    append(0, 10);
    expect((await status()).code).toBe(0);
    sqlite(path, 'DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE seq >= 8;');
    const r = await status({ INVENTAG_LOG_DIRECTORY: join(dir, 'no-log') });
    expect(r.code).toBe(4);
    expect(r.json.audit.firstBad).toMatchObject({ reason: 'truncated' });
  });

  it('an entry BEFORE the recorded head edited is not walked by status, and audit verify catches it (exit 4)', async () => {
    append(0, 10);
    expect((await status()).code).toBe(0);
    sqlite(path, `DROP TRIGGER audit_entries_no_update; ${setBodyField(4, 'decision', 'blocked')}`);
    // What docs/AUDIT.md says status trusts: the entries up to the recorded head are not walked again.
    const s = await status();
    expect(s.json.audit.verification).toMatchObject({ kind: 'incremental', checked: 0 });
    const v = await runAuditCli(['audit', 'verify', '--store', path, '--json'], { env });
    expect(v.code).toBe(4);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: false, firstBad: { sequence: 4, reason: 'edited' } });
  });

  it('a record of another store, an unreadable one or a forged one for a keyed store: a full walk', async () => {
    append(0, 6);
    expect((await status()).code).toBe(0);
    const saved = JSON.parse(readFileSync(record(), 'utf8')) as Record<string, unknown>;
    writeFileSync(record(), JSON.stringify({ ...saved, storeId: 'another-store' }));
    expect((await status()).json.audit.verification).toMatchObject({
      kind: 'full',
      reason: 'the verified-head record is of another store',
    });
    writeFileSync(record(), '{ not json');
    expect((await status()).json.audit.verification).toMatchObject({
      kind: 'full',
      reason: expect.stringMatching(/is not JSON/),
    });

    // A keyed store: the record carries the key's MAC; one written without the key is not trusted.
    const key = 'k'.repeat(32);
    path = join(dir, 'keyed.db');
    env = { ...env, INVENTAG_AUDIT_STORE: path, INVENTAG_AUDIT_KEY: key };
    append(0, 6, key);
    expect((await status()).json.audit.verification).toMatchObject({ kind: 'full', checked: 6 });
    const keyed = JSON.parse(readFileSync(record(), 'utf8')) as Record<string, unknown>;
    expect(keyed.mac).toMatch(/^[0-9a-f]{64}$/);
    expect((await status()).json.audit.verification).toMatchObject({ kind: 'incremental', checked: 0 });
    const { mac: _mac, ...unsigned } = keyed;
    writeFileSync(record(), JSON.stringify(unsigned));
    expect((await status()).json.audit.verification).toMatchObject({
      kind: 'full',
      reason: "the verified-head record does not carry this keyed store's MAC",
    });
  });

  it('a head that cannot be recorded (the data directory is a file): status says so, and the next walk is full', async () => {
    append(0, 5);
    const notADir = join(dir, 'not-a-directory');
    writeFileSync(notADir, 'x');
    const extra = { INVENTAG_DATA_DIRECTORY: notADir };
    const r = await status(extra);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.audit.verification).toMatchObject({ kind: 'full', checked: 5 });
    expect((r.json.audit.verification as { notRecorded?: string }).notRecorded).toContain('verified-head.json');
    const text = await runAuditCli(['status'], { env: { ...env, ...extra } });
    expect(text.stdout).toMatch(
      /the verified head was not recorded, so the next status walks in full: .*verified-head\.json/,
    );
    const again = (await status(extra)).json.audit.verification;
    expect(again.kind).toBe('full');
    expect(again.reason).toMatch(/verified-head\.json cannot be read \(ENOTDIR/);
  });
});
