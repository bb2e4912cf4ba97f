import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/audit/index.js';
import {
  DEFAULT_REPORT_BASENAME,
  ReportErrorCode,
  isReportError,
  parseReportFormat,
  saveReport,
  saveReports,
} from '../../src/report/index.js';
import type { ReportFormat } from '../../src/report/index.js';
import { CHAIN_HASH, SECRET, buildReport } from './fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventag-report-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Error thrown by `fn`, or a failure when it does not throw. */
async function thrown(fn: () => Promise<unknown>): Promise<Error & { path?: string }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { path?: string };
  }
  throw new Error('expected a rejection');
}

describe('saving reports', () => {
  it('writes the three formats with the default names and returns their paths', async () => {
    const saved = await saveReports(buildReport(), join(dir, 'out'));

    expect(saved).toEqual([
      { format: 'json', path: join(dir, 'out', `${DEFAULT_REPORT_BASENAME}.json`) },
      { format: 'md', path: join(dir, 'out', 'inventag-report.md') },
      { format: 'html', path: join(dir, 'out', 'inventag-report.html') },
    ]);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'inventag-report.html',
      'inventag-report.json',
      'inventag-report.md',
    ]);
    expect(JSON.parse(readFileSync(saved[0]!.path, 'utf8')).auditChainHead).toEqual({ sequence: 40, hash: CHAIN_HASH });
    expect(readFileSync(saved[1]!.path, 'utf8')).toContain('## Executive summary');
    expect(readFileSync(saved[2]!.path, 'utf8')).toContain('id="executive-summary"');
  });

  it('redacts secrets in every format before writing', async () => {
    const saved = await saveReports(buildReport(), dir, ['json', 'md', 'html'], { extraRedactedKeys: ['eventId'] });
    for (const { path } of saved) {
      const text = readFileSync(path, 'utf8');
      expect(text, path).not.toContain(SECRET);
      expect(text, path).not.toContain('MIIEowIBAAKCAQEAexample');
      expect(text, path).not.toContain('7a1b-4c2d');
      // Markdown escapes the brackets: `\[REDACTED\]`.
      expect(text.replace(/\\/g, ''), path).toContain(REDACTED);
    }
    const json = JSON.parse(readFileSync(saved[0]!.path, 'utf8'));
    const planted = json.findings.find((f: { id: string }) => f.id === 'F-001');
    expect(planted.evidence.sessionToken).toBe(REDACTED);
    expect(json.sections.securityValidation.detail.privateKey).toBe(REDACTED);
    // What is not secret stays: the report is still evidence.
    expect(planted.evidence.eventName).toBe('PutBucketPolicy');
  });

  it('saves one format at a given path and replaces an older file whole', async () => {
    const path = join(dir, 'nested', 'compliance.html');
    expect(await saveReport(buildReport(), path, 'html')).toBe(path);
    writeFileSync(path, 'old contents that are much longer than nothing '.repeat(2000));
    await saveReport(buildReport(), path, 'html');
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('<!doctype html>')).toBe(true);
    expect(text.endsWith('</html>\n')).toBe(true);
    expect(text).not.toContain('old contents');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['compliance.html']);
  });

  it('refuses an unwritable path with an error naming it and leaves nothing behind', async () => {
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, 'a file where a directory should be');

    const err = await thrown(() => saveReports(buildReport(), join(blocker, 'reports')));
    expect(err.name).toBe('FileWriteError');
    expect(err.message).toContain(join(blocker, 'reports', 'inventag-report.json'));

    const single = await thrown(() => saveReport(buildReport(), join(blocker, 'r.json'), 'json', { mkdirs: false }));
    expect(single.name).toBe('FileWriteError');
    expect(single.message).toContain(join(blocker, 'r.json'));
    expect(readdirSync(dir)).toEqual(['not-a-directory']);
  });

  it('refuses an unknown format before writing anything, listing the allowed ones', async () => {
    const err = await thrown(() => saveReports(buildReport(), dir, ['json', 'pdf' as ReportFormat]));
    expect(isReportError(err)).toBe(true);
    expect((err as Error & { code: string }).code).toBe(ReportErrorCode.UNKNOWN_FORMAT);
    expect(err.message).toBe('unknown report format "pdf": expected one of json, md (or markdown), html');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads format names as users type them', () => {
    expect(['JSON', 'md', 'Markdown', 'html', ' htm '].map(parseReportFormat)).toEqual([
      'json',
      'md',
      'md',
      'html',
      'html',
    ]);
    expect(() => parseReportFormat('')).toThrow(/expected one of json, md \(or markdown\), html/);
  });
});
