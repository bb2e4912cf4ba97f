import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { attempt, runAuditCli, sqliteRows, tempDir } from './helpers.js';

/** RFC 4180 cells of a CSV text (quoted cells may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  return rows;
}

const HOSTILE = {
  resourceArn: '=HYPERLINK("http://evil","x")',
  validationMessage: '+cmd|" /C calc"!A0',
  identity: { account: '-2+3', arn: '@SUM(1+1)', type: "'quoted" },
};

describe('audit export --format csv', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('--raw escapes cells a spreadsheet would run, reversibly: one leading quote removed gives the stored text', async () => {
    const path = join(dir, 'audit.db');
    const store = AuditStore.open({ path });
    store.append(attempt(0, HOSTILE));
    store.append(attempt(1));
    store.closeSync();
    const r = await runAuditCli(['audit', 'export', '--store', path, '--format', 'csv', '--raw']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(rows).toHaveLength(2);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const stored = sqliteRows<Record<string, string | number | null>>(
      path,
      'SELECT * FROM audit_entries ORDER BY seq;',
    );
    rows.forEach((row, i) => {
      (header as string[]).forEach((column, c) => {
        const cell = row[c] as string;
        const want = stored[i]?.[column];
        expect(cell.startsWith("'") ? cell.slice(1) : cell, `${column} of row ${i + 1}`).toBe(
          want === null || want === undefined ? '' : String(want),
        );
      });
    });
  });

  it('the merged view defuses the same cells', async () => {
    const path = join(dir, 'audit.db');
    const store = AuditStore.open({ path });
    store.append(attempt(0, HOSTILE));
    store.closeSync();
    const r = await runAuditCli(['audit', 'export', '--store', path, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const [, row] = parseCsv(r.stdout);
    for (const cell of row as string[]) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(row).toContain(`'${HOSTILE.resourceArn}`);
  });
});
