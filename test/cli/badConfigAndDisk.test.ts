import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canMount, mountTmpfs, unmount } from '../audit/helpers.js';
import { ROOT, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inventag-bad-config-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a YAML alias bomb in the configuration', () => {
  it('is bad input (exit 2) naming the file, not an internal error, and quick', async () => {
    // Prepare: nine levels of nine aliases each would expand to 9^7 strings.
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, name] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'f'],
      ['f', 'g'],
    ])
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, `${levels.join('\n')}\ncomplianceStandard: soc2\n`);
    // Act
    for (const args of [
      ['config', 'print', '--config', file],
      ['check', '--config', file, '--evidence', join(ROOT, 'examples', 'demo'), '--out', join(dir, 'r')],
    ]) {
      const r = await runCli(args);
      // Assess
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(/YAML aliases expand too far/);
      expect(r.stderr).not.toMatch(/internal error|at Alias/);
    }
  });
});

describe.skipIf(!canMount())('a full disk while writing reports', () => {
  it('is an I/O error (exit 74) naming the file, not bad usage', async () => {
    const full = join(dir, 'full');
    mkdirSync(full);
    mountTmpfs(full, 'size=64k');
    try {
      writeFileSync(join(full, 'filler'), Buffer.alloc(60 * 1024));
      const r = await runCli(['demo', '--out', join(full, 'reports'), '--quiet']);
      expect(r.code, r.stderr).toBe(74);
      expect(r.stderr).toMatch(/cannot write .*inventag-report\.\w+: no space left on the device/);
    } finally {
      unmount(full);
    }
  });
});
