import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { runCli } from '../support/cli.js';
import { attempt, sqlite, tempDir } from './helpers.js';

// A store large enough (> 32 MiB) that the built CLI's `audit verify` checks the file's pages in a worker
// thread while it walks the chain: both findings must still be reported.
describe('audit verify of a large store: page check and chain walk together', () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, 'large.db');
    const store = AuditStore.open({ path, durability: 'normal' });
    const filler = 'p'.repeat(900);
    for (let i = 0; statSync(path).size + statSync(`${path}-wal`).size < 40 * 2 ** 20; i += 1)
      store.appendBatch(
        Array.from({ length: 500 }, (_, j) => attempt(i * 500 + j, { requestParameters: { Filler: filler } })),
      );
    store.closeSync();
    expect(statSync(path).size).toBeGreaterThan(32 * 2 ** 20);
  }, 120_000);
  afterAll(() => cleanup());

  it('an intact large store verifies (exit 0)', async () => {
    const r = await runCli(['audit', 'verify', '--store', path, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
  }, 120_000);

  it('damaged index pages, which the chain walk never reads, still fail verify as damaged (exit 4)', async () => {
    // Leaf pages of the audit-id index: the walk reads the table in sequence order, never these.
    const pages = sqlite(
      path,
      "SELECT pageno FROM dbstat WHERE name LIKE 'sqlite_autoindex_audit_entries%' AND pagetype = 'leaf' ORDER BY pageno LIMIT 3;",
    )
      .trim()
      .split('\n')
      .map(Number);
    expect(pages.length).toBe(3);
    const pageSize = Number(sqlite(path, 'PRAGMA page_size;').trim());
    const fd = openSync(path, 'r+');
    for (const page of pages) writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);
    const r = await runCli(['audit', 'verify', '--store', path]);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toMatch(/database file is damaged/);
  }, 120_000);
});
