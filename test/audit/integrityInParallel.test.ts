import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { runCli, runWithStalledStdout } from '../support/cli.js';
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

  it("the page check's worker leaves a piped stdout blocking: a program's writeSync(1) after verify() waits, never fails", async () => {
    // A worker whose stdout is piped into the parent's turns the parent's fd 1 non-blocking; a synchronous
    // write larger than the pipe then fails with EAGAIN while the reader is slow.
    const dist = pathToFileURL(resolve('dist/audit/index.js')).href;
    const program = [
      `const { AuditStore } = await import(${JSON.stringify(dist)});`,
      `const store = AuditStore.open({ path: ${JSON.stringify(path)}, readonly: true });`,
      'const result = store.verify();',
      'store.closeSync();',
      "const { writeSync } = await import('node:fs');",
      "writeSync(1, JSON.stringify({ ok: result.ok }) + '\\n' + 'x'.repeat(1 << 20) + '\\n');",
    ].join('\n');
    // Read nothing until the child has had time to verify and fill the pipe.
    const { code, stdout, stderr } = await runWithStalledStdout(program, 3000);
    expect(stderr).not.toMatch(/EAGAIN/);
    expect(code, stderr).toBe(0);
    expect(stdout.startsWith('{"ok":true}\n')).toBe(true);
    expect(stdout.length).toBe('{"ok":true}\n'.length + (1 << 20) + 1);
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
