import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, runNode, type CliResult } from '../support/cli.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A fresh temp directory and its removal. */
export function tempDir(prefix = 'inventag-audit-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { attempt, writeVariedStore } from '../support/auditStores.js';

/** A stored row of the current store format (2), and its columns in table order. */
export type { StoredRow2 as Row2 } from '../../src/audit/format2.js';
export { COLUMNS_2 as COLUMNS } from '../../src/audit/format2.js';
import type { StoredRow2 as Row2 } from '../../src/audit/format2.js';

/** The documented format-2 hash recipe, written out independently of the library. */
export function rowHash(row: Omit<Row2, 'hash'>, key?: string): string {
  const payload = [
    'inventag-audit/2',
    row.seq,
    row.audit_id,
    row.kind,
    row.timestamp,
    row.ref_audit_id ?? '',
    row.prev_hash,
    row.body,
  ].join('\n');
  return (key === undefined ? createHash('sha256') : createHmac('sha256', key)).update(payload).digest('hex');
}

/** SQL that changes one field inside the stored body of row `seq` (e.g. decision allowed -> blocked). */
export const setBodyField = (seq: number, field: string, value: string): string =>
  `UPDATE audit_entries SET body = json_set(body, '$.${field}', '${value.replace(/'/g, "''")}') WHERE seq = ${seq};`;

/** Runs SQL through the sqlite3 command-line shell, as an attacker with file access would. */
export function sqlite(db: string, sql: string, flags: string[] = []): string {
  const r = spawnSync('sqlite3', ['-bail', ...flags, db], { encoding: 'utf8', input: sql, maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0 || r.stderr !== '') throw new Error(`sqlite3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Rows of a query, through the sqlite3 shell's JSON mode. */
export function sqliteRows<T = Record<string, unknown>>(db: string, sql: string): T[] {
  const out = sqlite(db, sql, ['-json']).trim();
  return out === '' ? [] : (JSON.parse(out) as T[]);
}

/**
 * A copy of store `from` at `to` with the outcome index's root page overwritten past its header: damage no read
 * of the chain's walk goes through, which only the file's page check finds.
 */
export function copyWithDamagedIndex(from: string, to: string): void {
  cpSync(from, to);
  const [index] = sqliteRows<{ rootpage: number }>(
    to,
    "SELECT rootpage FROM sqlite_master WHERE name = 'audit_entries_outcome_ref';",
  );
  const bytes = readFileSync(to);
  const rootpage = index!.rootpage;
  bytes.fill(0xab, (rootpage - 1) * 4096 + 100, rootpage * 4096);
  writeFileSync(to, bytes);
}

export type ProcResult = CliResult;
export { runNode };

/** Runs the built CLI (`inventag audit ...`). */
export const runAuditCli = (
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProcResult> => runCli(args, options);

/** Whether this process may mount filesystems (root with CAP_SYS_ADMIN), for the read-only and full-disk tests. */
export function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const { dir, cleanup } = tempDir('inventag-mountprobe-');
  try {
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    if (m.status !== 0) return false;
    spawnSync('umount', [dir]);
    return true;
  } finally {
    cleanup();
  }
}

export function mountTmpfs(dir: string, options: string): void {
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(`mount failed: ${m.stderr}`);
}

export function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}
