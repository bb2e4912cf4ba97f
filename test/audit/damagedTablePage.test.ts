import { cpSync, mkdtempSync, openSync, rmSync, writeSync, closeSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { sqlite } from './helpers.js';

// A page of the entries table overwritten: SQLite fails the read itself ("database disk image is malformed"),
// and then the COMMIT that ends verify's read transaction fails too. The damage is what is reported, never the
// COMMIT's error as an internal one.
describe('an audit store with a damaged table page', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-damaged-page-'));
    cpSync(join(ROOT, 'examples', 'demo'), dir, { recursive: true });
    for (const f of readdirSync(dir)) if (/^audit\.db-/.test(f)) rmSync(join(dir, f));
    const store = join(dir, 'audit.db');
    const page = Number(
      sqlite(store, "SELECT pageno FROM dbstat WHERE name = 'audit_entries' AND pagetype = 'leaf' LIMIT 1;").trim(),
    );
    const size = Number(sqlite(store, 'PRAGMA page_size;').trim());
    expect(page).toBeGreaterThan(1);
    const fd = openSync(store, 'r+');
    writeSync(fd, Buffer.alloc(size, 0x5a), 0, size, (page - 1) * size);
    closeSync(fd);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('audit verify says the file is damaged and exits 4', async () => {
    const r = await runCli(['audit', 'verify', '--store', join(dir, 'audit.db')]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).toContain('the database file is damaged');
    expect(r.code).toBe(4);
  });

  it('check --evidence names the damaged file and exits 2, with no report claiming anything', async () => {
    const out = join(dir, 'reports');
    const r = await runCli(['check', '--evidence', dir, '--quiet', '--out', out]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).toContain(`${join(dir, 'audit.db')}: the database file is damaged`);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('COMPLIANT');
  });
});
