import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { CLI, runCliTracingLoads, runNode } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inventag-verify-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packages `inventag audit verify` loads in `cwd` (module hooks and require.cache), with its result. */
async function verifyLoading(cwd: string, store: string): Promise<{ packages: string[]; code: number | null }> {
  const r = await runCliTracingLoads(['audit', 'verify', '--store', store, '--json'], {
    cwd,
    env: { INVENTAG_LOG_DIRECTORY: join(dir, 'logs') },
  });
  expect(r.stderr).toBe('');
  return { packages: r.packages, code: r.code };
}

describe('inventag audit verify start-up', () => {
  it('without a configuration file the YAML parser is not loaded; with one it is loaded and a bad one is still exit 2', async () => {
    const store = join(dir, 'empty.db');
    AuditStore.open({ path: store }).closeSync();
    const bare = join(dir, 'bare');
    const configured = join(dir, 'configured');
    mkdirSync(bare);
    mkdirSync(configured);
    writeFileSync(join(configured, 'inventag.config.yaml'), 'complianceStandard: iso27001\n');

    const plain = await verifyLoading(bare, store);
    expect(plain.code).toBe(0);
    expect(plain.packages).not.toContain('yaml');
    expect(plain.packages).toContain('better-sqlite3');

    const withFile = await verifyLoading(configured, store);
    expect(withFile.code).toBe(0);
    expect(withFile.packages).toContain('yaml');

    // A bad file is still bad usage (exit 2), naming the file.
    writeFileSync(join(configured, 'inventag.config.yaml'), 'complianceStandard: [\n');
    const bad = await runNode([CLI, 'audit', 'verify', '--store', store], { cwd: configured });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/inventag\.config\.yaml: not valid YAML at line/);
  }, 60_000);
});
